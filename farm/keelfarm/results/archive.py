"""A campaign carried between results databases: `farm campaign export|import`.

A farm machine's database may not outlive it (a CI runner, a laptop, a lab host that is
rebuilt), and a long campaign is worth keeping beside the code it tested.  `export`
writes one campaign — the campaign row, every run, every result with its metrics — to a
gzip'd JSON Lines file; `import` puts such a file into another database as a new
campaign, with new ids and the same contents.  Reports, `campaign show`, flaky-case
and pass-rate queries then see it as they see any campaign.

    {"format": "keel-campaign/1", "campaign": {...}, "runs": N}      first line
    {"run": {...}, "results": [{..., "metrics": [[kind, name, value], ...]}, ...]}

Ids are not kept (the importing database numbers them); a campaign is known again by its
suite, place and creation time, and importing one that is already there is refused.
Triage verdicts are not carried: they name runs and boards of the farm that made them.
Times are naive UTC, written as ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

from sqlalchemy import insert, select

from ..errors import FarmError
from .resultsdb import ResultsDB, campaigns, metrics, results, runs

FORMAT = "keel-campaign/1"

_CAMPAIGN_FIELDS = ("suite", "place", "target", "env", "tests_path", "runs_wanted",
                    "hours_wanted", "pytest_args", "created", "finished", "status")
_RUN_FIELDS = ("seq", "commit", "commit_time", "target", "place", "env", "started", "duration",
               "verdict", "exit_code", "tests", "passed", "failed", "skipped", "log_dir", "note")
_RESULT_FIELDS = ("test", "verdict", "duration", "message", "signature", "signature_group",
                  "crash_kind", "frames", "log_path")
_TIMES = {"created", "finished", "commit_time", "started"}


def _out(row, fields) -> dict:
    return {k: (row[k].isoformat() if k in _TIMES and row[k] is not None else row[k])
            for k in fields}


def _in(obj: dict, fields, what: str) -> dict:
    missing = [k for k in fields if k not in obj]
    if missing:
        raise FarmError(f"{what} lacks {', '.join(missing)}")
    out = {}
    for k in fields:
        v = obj[k]
        if k in _TIMES and v is not None:
            try:
                v = dt.datetime.fromisoformat(v)
            except (TypeError, ValueError) as e:
                raise FarmError(f"{what}: {k} is not a time: {v!r}") from e
        out[k] = v
    return out


def export_campaign(db: ResultsDB, campaign_id: int, path: Path) -> dict:
    """Write campaign `campaign_id` to `path`; returns counts (runs, results, metrics)."""
    with db.engine.connect() as conn:
        camp = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
        if camp is None:
            raise FarmError(f"no campaign {campaign_id} in {db.safe_url}")
        run_rows = conn.execute(select(runs).where(runs.c.campaign_id == campaign_id)
                                .order_by(runs.c.id)).mappings().all()
        res_rows = conn.execute(select(results).join(runs, results.c.run_id == runs.c.id)
                                .where(runs.c.campaign_id == campaign_id)
                                .order_by(results.c.id)).mappings().all()
        met_rows = conn.execute(select(metrics).join(results, metrics.c.result_id == results.c.id)
                                .join(runs, results.c.run_id == runs.c.id)
                                .where(runs.c.campaign_id == campaign_id)
                                .order_by(metrics.c.id)).mappings().all()
    by_result: dict[int, list] = {}
    for m in met_rows:
        by_result.setdefault(m["result_id"], []).append([m["kind"], m["name"], m["value"]])
    by_run: dict[int, list] = {}
    for r in res_rows:
        item = _out(r, _RESULT_FIELDS)
        item["metrics"] = by_result.get(r["id"], [])
        by_run.setdefault(r["run_id"], []).append(item)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        head = {"format": FORMAT, "campaign": _out(camp._mapping, _CAMPAIGN_FIELDS),
                "runs": len(run_rows)}
        f.write(json.dumps(head, sort_keys=True) + "\n")
        for run in run_rows:
            line = {"run": _out(run, _RUN_FIELDS), "results": by_run.get(run["id"], [])}
            f.write(json.dumps(line, sort_keys=True) + "\n")
    tmp.replace(path)
    return {"runs": len(run_rows), "results": len(res_rows), "metrics": len(met_rows)}


def _read(path: Path) -> tuple[dict, list[dict]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError as e:
        raise FarmError(f"{path}: no such file") from e
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FarmError(f"{path}: not a campaign export: {e}") from e
    if not lines or not isinstance(lines[0], dict) or lines[0].get("format") != FORMAT:
        raise FarmError(f"{path}: not a campaign export (its first line names no "
                        f"{FORMAT!r} format)")
    head, body = lines[0], lines[1:]
    if head.get("runs") != len(body):
        raise FarmError(f"{path}: says {head.get('runs')} runs but holds {len(body)}: "
                        "cut short?")
    return head, body


def import_campaign(db: ResultsDB, path: Path) -> tuple[int, dict]:
    """Add the campaign in `path` to `db` as a new campaign; returns its id and counts.
    All of it or nothing (one transaction); a campaign already there is refused."""
    head, body = _read(path)
    camp = _in(head.get("campaign") or {}, _CAMPAIGN_FIELDS, f"{path}: the campaign")
    counts = {"runs": 0, "results": 0, "metrics": 0}
    with db.engine.begin() as conn:
        same = conn.execute(select(campaigns.c.id).where(
            campaigns.c.suite == camp["suite"], campaigns.c.place == camp["place"],
            campaigns.c.created == camp["created"])).first()
        if same is not None:
            raise FarmError(f"{path}: that campaign is already in {db.safe_url} as "
                            f"campaign {same[0]}")
        new_id = conn.execute(insert(campaigns).values(**camp)).inserted_primary_key[0]
        for n, line in enumerate(body, start=2):
            where = f"{path}: line {n}"
            if not isinstance(line, dict):
                raise FarmError(f"{where}: not a run")
            run = _in(line.get("run") or {}, _RUN_FIELDS, f"{where}: the run")
            run_id = conn.execute(insert(runs).values(campaign_id=new_id, **run)) \
                .inserted_primary_key[0]
            counts["runs"] += 1
            for res in line.get("results") or []:
                row = _in(res, _RESULT_FIELDS, f"{where}: a result")
                result_id = conn.execute(insert(results).values(run_id=run_id, **row)) \
                    .inserted_primary_key[0]
                counts["results"] += 1
                mets = res.get("metrics") or []
                if any(not isinstance(m, list) or len(m) != 3 for m in mets):
                    raise FarmError(f"{where}: a metric is not [kind, name, value]")
                if mets:
                    conn.execute(insert(metrics), [
                        {"result_id": result_id, "kind": k, "name": nm, "value": float(v)}
                        for k, nm, v in mets])
                    counts["metrics"] += len(mets)
    return new_id, counts
