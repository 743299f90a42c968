"""The static HTML report: one self-contained page from the results database.

Sections: a summary, pass rate per commit (chart with Wilson intervals, and table),
regressions, unstable tests, failure signatures grouped (symbolized frames, counts,
first and last commit, a link to the latest console log), boot-stage timing
distributions per target, and benchmark trends over commits.  Charts are inline SVG
(svgplot), so the page needs nothing but a browser; links to logs are relative to the
page, so the report directory can move together with the logs' tree.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..console import STAGES
from ..errors import FarmError
from .resultsdb import RUN_BROKEN, RUN_PASS, ResultsDB
from .stability import commit_order, failure_groups, pass_rates, regressions, wilson
from .svgplot import box_chart, line_chart

DEFAULT_OUT = Path("build/report/index.html")

CSS = """
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1100px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; }
.passes { color: #1a7f37; } .flaky { color: #b35900; } .fails { color: #c62828; }
code, pre { font-size: 0.85em; } pre { margin: 0.3em 0; white-space: pre-wrap; }
p.none { color: #666; font-style: italic; }
"""


@dataclass
class ReportData:
    runs: list[dict]
    results: list[dict]
    stages: list[dict]
    bench: list[dict]
    db_url: str
    since: str | None = None


def resolve_since(db: ResultsDB, commit: str, repo: str | Path = ".") -> dt.datetime:
    """The commit time of `commit`: as recorded in the database, else as git knows it."""
    when = db.commit_time(commit)
    if when is not None:
        return when
    proc = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%ct", commit],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode == 0 and proc.stdout.strip().isdigit():
        return dt.datetime.fromtimestamp(int(proc.stdout.strip()), dt.UTC).replace(tzinfo=None)
    raise FarmError(f"--since {commit}: not a commit in the database or in git")


def load(db: ResultsDB, since: str | None = None) -> ReportData:
    when = resolve_since(db, since) if since else None
    return ReportData(runs=db.runs(since=when), results=db.results(since=when),
                      stages=db.metric_rows("stage", since=when),
                      bench=db.metric_rows("bench", since=when), db_url=db.safe_url,
                      since=since)


# -- helpers ---------------------------------------------------------------------------

def table(table_id: str, header: list[str], rows: list[list[str]], *,
          numeric: set[int] = frozenset()) -> str:
    """An HTML table; cells are HTML already (escape them before)."""
    out = [f'<table id="{table_id}"><thead><tr>'
           + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def none(text: str) -> str:
    return f'<p class="none">{escape(text)}</p>'


def compact(v: float) -> str:
    """1234567 -> 1.23M: axis labels for figures of any size."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}"


def interval(passed: int, trials: int) -> str:
    lo, hi = wilson(passed, trials)
    return f"{lo:.2f}&ndash;{hi:.2f}"


def log_link(path: str | None, out_dir: Path) -> str:
    if not path:
        return "-"
    target = Path(path).resolve()
    rel = os.path.relpath(target, out_dir.resolve())
    missing = "" if target.exists() else " (missing)"
    return f'<a href="{escape(rel)}">{escape(target.name)}</a>{missing}'


# -- sections --------------------------------------------------------------------------

def commits_in_order(data: ReportData) -> list[str]:
    order = commit_order(data.results + data.runs)
    return sorted(order, key=lambda c: (order[c], c))


def summary(data: ReportData, commits: list[str]) -> str:
    campaigns = {r["campaign_id"] for r in data.runs if r["campaign_id"] is not None}
    targets = sorted({r["target"] for r in data.runs})
    broken = sum(r["verdict"] == RUN_BROKEN for r in data.runs)
    passed = sum(r["verdict"] == RUN_PASS for r in data.runs)
    since = f", commits since {escape(data.since)}" if data.since else ""
    return (f'<p id="summary">{len(data.runs)} runs ({passed} passed, {broken} broken) in '
            f"{len(campaigns)} campaigns, {len(data.results)} test results, "
            f"{len(commits)} commits, targets {escape(', '.join(targets) or '-')}{since}. "
            f"Database <code>{escape(data.db_url)}</code>.</p>")


def pass_rate_section(data: ReportData, commits: list[str]) -> str:
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    run_cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in data.results:
        if r["verdict"] in ("passed", "failed", "error"):
            cell = cells[(r["commit"], r["target"])]
            cell[0] += r["verdict"] == "passed"
            cell[1] += 1
    for run in data.runs:
        cell = run_cells[(run["commit"], run["target"])]
        cell[0] += run["verdict"] == RUN_PASS
        cell[1] += 1
        cell[2] += run["verdict"] == RUN_BROKEN
    targets = sorted({t for _, t in cells} | {t for _, t in run_cells})
    series, whiskers = {}, {}
    for target in targets:
        vals, ws = [], []
        for commit in commits:
            passed, trials = cells.get((commit, target), (0, 0))
            if trials:
                lo, hi = wilson(passed, trials)
                vals.append(100.0 * passed / trials)
                ws.append((100.0 * lo, 100.0 * hi))
            else:
                vals.append(None)
                ws.append(None)
        series[target], whiskers[target] = vals, ws
    chart = line_chart("pass-rate", "Test pass rate per commit (%, 95% Wilson interval)",
                       commits, series, whiskers=whiskers, y_range=(0.0, 100.0),
                       y_label=lambda v: f"{v:.0f}%")
    rows = []
    for commit in commits:
        for target in targets:
            passed, trials = cells.get((commit, target), (0, 0))
            rp, rn, rb = run_cells.get((commit, target), (0, 0, 0))
            if not (trials or rn):
                continue
            rate = f"{100.0 * passed / trials:.1f}%" if trials else "-"
            rows.append([escape(commit), escape(target), f"{rp}/{rn}", str(rb),
                         f"{passed}/{trials}", rate,
                         interval(passed, trials) if trials else "-"])
    return chart + table("pass-rates", ["commit", "target", "runs passed", "broken runs",
                                        "tests passed", "rate", "95% interval"], rows,
                         numeric={2, 3, 4, 5})


def regression_section(rates) -> str:
    found = regressions(rates)
    if not found:
        return none("No regressions: no test that passed with confidence on a commit fails "
                    "with confidence on the next commit that ran it.")
    rows = [[escape(r.test), escape(r.target), escape(r.before.commit),
             f"{r.before.passed}/{r.before.trials}", escape(r.now.commit),
             f"{r.now.passed}/{r.now.trials}"] for r in found]
    return table("regressions", ["test", "target", "before", "passed", "now", "passed"], rows,
                 numeric={3, 5})


def unstable_section(rates) -> str:
    bad = [r for r in rates if r.state in ("flaky", "fails")]
    if not bad:
        return none("Every test passed every time it ran.")
    rows = [[escape(r.test), escape(r.target), escape(r.commit),
             f'<span class="{r.state}">{r.state}</span>', f"{r.passed}/{r.trials}",
             interval(r.passed, r.trials)] for r in bad]
    return table("unstable", ["test", "target", "commit", "state", "passed", "95% interval"],
                 rows, numeric={4})


def signature_section(data: ReportData, out_dir: Path) -> str:
    groups = failure_groups(data.results)
    if not groups:
        return none("No failures.")
    rows = []
    for g in groups:
        detail = f"<code>{escape(g.key)}</code>"
        if g.example and g.example != g.key:
            detail += f"<br>latest: <code>{escape(g.example)}</code>"
        if g.frames:
            detail += f"<details><summary>frames</summary><pre>{escape(g.frames)}</pre></details>"
        rows.append([str(g.count), escape(g.kind), detail,
                     escape(", ".join(sorted(g.tests))), escape(", ".join(sorted(g.targets))),
                     escape(g.first_commit), escape(g.last_commit),
                     log_link(g.log_path, out_dir)])
    return table("signatures", ["count", "kind", "signature", "tests", "targets",
                                "first commit", "last commit", "latest log"], rows,
                 numeric={0})


def stage_section(data: ReportData) -> str:
    by_target: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for m in data.stages:
        by_target[m["target"]][m["name"]].append(m["value"])
    if not by_target:
        return none("No boot-stage times recorded.")
    out, rows = [], []
    for target in sorted(by_target):
        stages = by_target[target]
        names = [s for s in STAGES if s in stages] + sorted(set(stages) - set(STAGES))
        out.append(box_chart(f"stages-{target}", f"Boot stages on {target} (seconds "
                             "since power-on)", [(n, stages[n]) for n in names]))
        for n in names:
            vs = sorted(stages[n])
            p90 = vs[min(len(vs) - 1, int(0.9 * len(vs)))]
            rows.append([escape(target), escape(n), str(len(vs)),
                         f"{statistics.median(vs):.3f}", f"{p90:.3f}", f"{vs[-1]:.3f}"])
    return "\n".join(out) + table("stage-times", ["target", "stage", "n", "median s",
                                                  "p90 s", "max s"], rows,
                                  numeric={2, 3, 4, 5})


def bench_section(data: ReportData, commits: list[str]) -> str:
    values: dict[str, dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    for m in data.bench:
        values[m["name"]][(m["commit"], m["target"])].append(m["value"])
    if not values:
        return none("No benchmark figures recorded.")
    out, rows = [], []
    for name in sorted(values):
        cells = values[name]
        targets = sorted({t for _, t in cells})
        used = [c for c in commits if any((c, t) in cells for t in targets)]
        series = {t: [statistics.median(cells[(c, t)]) if (c, t) in cells else None
                      for c in used] for t in targets}
        out.append(line_chart(f"bench-{name}", f"{name} (median per commit)", used, series,
                              y_label=compact))
        for t in targets:
            latest = next(c for c in reversed(used) if (c, t) in cells)
            vs = cells[(latest, t)]
            rows.append([escape(name), escape(t), escape(latest), str(len(vs)),
                         compact(statistics.median(vs)), compact(min(vs)), compact(max(vs))])
    return "\n".join(out) + table("bench", ["figure", "target", "latest commit", "n",
                                            "median", "min", "max"], rows,
                                  numeric={3, 4, 5, 6})


def render(data: ReportData, out_dir: Path, generated: dt.datetime | None = None) -> str:
    commits = commits_in_order(data)
    rates = pass_rates(data.results)
    when = (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    body = [f"<h1>Keel test results</h1><p>Generated {escape(when)}.</p>",
            summary(data, commits),
            '<h2 id="h-pass-rate">Pass rate per commit</h2>', pass_rate_section(data, commits),
            '<h2 id="h-regressions">Regressions</h2>', regression_section(rates),
            '<h2 id="h-unstable">Flaky and failing tests</h2>', unstable_section(rates),
            '<h2 id="h-signatures">Failure signatures</h2>', signature_section(data, out_dir),
            '<h2 id="h-stages">Boot-stage times</h2>', stage_section(data),
            '<h2 id="h-bench">Benchmark trends</h2>', bench_section(data, commits)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Keel test results</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_report(db: ResultsDB, out: str | Path = DEFAULT_OUT,
                 since: str | None = None) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = load(db, since)
    out.write_text(render(data, out.parent))
    return out
