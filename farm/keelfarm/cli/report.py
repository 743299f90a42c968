"""`farm report [--since COMMIT] [--db URL] [-o build/report/index.html]`: the static
HTML page of pass rates, regressions, failure signatures, boot stages and benchmarks."""

from __future__ import annotations

from ..report import DEFAULT_OUT, write_report
from ..resultsdb import ResultsDB
from .campaign import add_db_option


def register(sub) -> None:
    p = sub.add_parser("report", help="write the HTML report of the results database")
    p.add_argument("--since", metavar="COMMIT", help="only commits from this one on")
    p.add_argument("-o", "--output", default=str(DEFAULT_OUT),
                   help="the page to write (default %(default)s)")
    add_db_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    with ResultsDB(args.db) as db:
        path = write_report(db, args.output, since=args.since)
    print(f"report: {path}")
    return 0
