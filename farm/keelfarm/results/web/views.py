"""What each dashboard page shows, computed from the results database as plain data
(dicts and lists) for the templates; charts are plotly figures rendered to HTML that
needs only the plotly.js the page loads from the dashboard itself (offline)."""

from __future__ import annotations

from collections import defaultdict

from ..resultsdb import ResultsDB
from ..stability import commit_order, failure_groups, pass_rates


def _plot(traces: list[dict], title: str, ytitle: str) -> str:
    import plotly.graph_objects as go
    import plotly.io as pio
    fig = go.Figure()
    for t in traces:
        fig.add_trace(go.Scatter(x=t["x"], y=t["y"], mode="lines+markers", name=t["name"]))
    fig.update_layout(title=title, yaxis_title=ytitle, height=380, showlegend=True,
                      margin={"l": 50, "r": 20, "t": 40, "b": 80})
    return pio.to_html(fig, include_plotlyjs=False, full_html=False)


def matrix(db: ResultsDB) -> dict:
    """Commits (newest first) x (suite, place): runs passed / runs, per cell."""
    rows = db.runs_with_suite()
    order = commit_order(rows)
    columns = sorted({(r["suite"], r["place"]) for r in rows})
    cells: dict[tuple, dict] = defaultdict(lambda: {"runs": 0, "passed": 0, "broken": 0})
    for r in rows:
        cell = cells[(r["commit"], r["suite"], r["place"])]
        cell["runs"] += 1
        cell["passed"] += r["verdict"] == "pass"
        cell["broken"] += r["verdict"] == "broken"
    commits = sorted(order, key=lambda c: order[c], reverse=True)
    return {"columns": columns, "commits": commits,
            "cells": {k: dict(v) for k, v in cells.items()}}


def test_history(db: ResultsDB, test: str) -> dict:
    rows = [r for r in db.results() if r["test"] == test]
    return {"test": test, "rows": list(reversed(rows)),
            "groups": failure_groups(rows)}


def flaky(db: ResultsDB) -> list:
    return [r for r in pass_rates(db.results()) if r.flaky]


def trends(db: ResultsDB) -> dict:
    """Boot-stage and benchmark figures per commit (mean of the runs), one chart each."""
    charts = {}
    for kind, unit in (("stage", "seconds"), ("bench", "figure")):
        rows = db.metric_rows(kind)
        order = commit_order(rows)
        sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for r in rows:
            sums[r["name"]][r["commit"]].append(r["value"])
        traces = []
        for name in sorted(sums):
            commits = sorted(sums[name], key=lambda c: order[c])
            traces.append({"name": name, "x": commits,
                           "y": [sum(sums[name][c]) / len(sums[name][c]) for c in commits]})
        charts[kind] = _plot(traces, f"{kind} per commit", unit) if traces else ""
    return charts


def campaigns(db: ResultsDB) -> list[dict]:
    """Each campaign, newest first, with its progress, pass rate and the triage verdicts
    of its failed board runs."""
    out = []
    triaged = db.triages_by_campaign()
    for c in reversed(db.campaigns()):
        wanted = c["runs_wanted"]
        hours = c["hours_wanted"]
        if wanted:
            progress = min(1.0, c["runs_done"] / wanted)
        elif hours:
            progress = min(1.0, c["seconds"] / (hours * 3600))
        else:
            progress = 1.0 if c["status"] == "done" else 0.0
        out.append({**c, "progress": progress, "triages": triaged.get(c["id"], []),
                    "pass_rate": c["runs_passed"] / c["runs_done"] if c["runs_done"] else None})
    return out


def bisections(db: ResultsDB) -> list[dict]:
    return [{**b, "steps": db.bisect_steps(b["id"])} for b in reversed(db.bisections())]


def last_triages(db: ResultsDB) -> dict[str, dict]:
    """place -> its latest triage (verdict, why, commit, created): what the farm last
    found about a board's failures, beside its health."""
    return {t["place"]: t for t in db.triages()}  # oldest first: the last one stays
