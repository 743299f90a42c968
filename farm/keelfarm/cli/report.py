"""`farm report [--since COMMIT] [--db URL] [-o build/report/index.html]`: the static
HTML page of pass rates, regressions, failure signatures, boot stages and benchmarks,
and beside it the dashboard's pages as files (matrix.html, flaky.html, trends.html,
campaigns.html, bisections.html, test-<name>.html: what `farm web` shows)."""

from __future__ import annotations

from pathlib import Path

from ..results.report import DEFAULT_OUT, write_report
from ..results.resultsdb import ResultsDB
from .campaign import add_db_option


def register(sub) -> None:
    p = sub.add_parser("report", help="write the HTML report of the results database")
    p.add_argument("--since", metavar="COMMIT", help="only commits from this one on")
    p.add_argument("-o", "--output", default=str(DEFAULT_OUT),
                   help="the page to write (default %(default)s)")
    add_db_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..results.web.static import export
    with ResultsDB(args.db) as db:
        path = write_report(db, args.output, since=args.since)
        url = db.url
    pages = export(url, Path(args.output).parent)
    print(f"report: {path}")
    print(f"dashboard pages: {len(pages)} in {pages[0].parent} (start at {pages[0].name})")
    return 0
