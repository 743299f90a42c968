"""The dashboard as a Flask application over one results database.

Pages: the commits x suites x places matrix, a test's history with its console logs and
symbolized crash signatures, flaky tests with their Wilson intervals, boot-stage and
benchmark trends per commit, campaigns with their progress (live: the page refreshes
itself), bisections, and the boards with health, holder, lease and last triage
verdict.  The boards come from a callable the CLI passes (the coordinator's view as
plain dicts), so the dashboard never touches labgrid objects.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask, abort, render_template, request

from ..resultsdb import ResultsDB
from . import views

REFRESH = 10  # seconds between reloads of the live pages


def create_app(db_url: str | None, boards: Callable[[], list[dict]] | None = None) -> Flask:
    app = Flask(__name__)
    db = ResultsDB(db_url)
    app.config["KEEL_DB"] = db

    @app.route("/static/plotly.min.js")
    def plotly_js():
        from plotly.offline import get_plotlyjs
        return app.response_class(get_plotlyjs(), mimetype="application/javascript")

    @app.route("/")
    def matrix():
        return render_template("matrix.html", page="matrix", m=views.matrix(db),
                               refresh=REFRESH)

    @app.route("/test")
    def test():
        name = request.args.get("name", "")
        return render_template("test.html", page="test", h=views.test_history(db, name))

    @app.route("/log/<int:result_id>")
    def log(result_id: int):
        row = next((r for r in db.results() if r["id"] == result_id), None)
        if row is None or not row["log_path"] or not Path(row["log_path"]).is_file():
            abort(404)
        return app.response_class(Path(row["log_path"]).read_text(errors="replace"),
                                  mimetype="text/plain")

    @app.route("/flaky")
    def flaky():
        return render_template("flaky.html", page="flaky", rates=views.flaky(db))

    @app.route("/trends")
    def trends():
        return render_template("trends.html", page="trends", charts=views.trends(db))

    @app.route("/campaigns")
    def campaigns():
        return render_template("campaigns.html", page="campaigns",
                               campaigns=views.campaigns(db), refresh=REFRESH)

    @app.route("/bisections")
    def bisections():
        return render_template("bisections.html", page="bisections",
                               bisections=views.bisections(db))

    @app.route("/boards")
    def board_page():
        rows, error = [], None
        if boards is None:
            error = "no coordinator given (farm web -c HOST:PORT)"
        else:
            try:
                rows = boards()
            except Exception as e:  # the coordinator is away: say so on the page
                error = str(e)
        return render_template("boards.html", page="boards", boards=rows, error=error,
                               triages=views.last_triages(db), refresh=REFRESH)

    return app
