"""The dashboard's pages as static files (`farm report` writes them beside its page).

Each page is rendered by the dashboard application itself (Flask's test client, no
server), so the files show exactly what `farm web` shows; the links between pages,
to console logs and to plotly.js are rewritten to files in the same directory, and
the live pages lose their reload.  One page per test: `test-<name>.html`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .app import create_app

PAGES = {"/": "matrix.html", "/flaky": "flaky.html", "/trends": "trends.html",
         "/campaigns": "campaigns.html", "/bisections": "bisections.html"}
_LINK = re.compile(r'(href|src)="(/[^"]*)"')


def test_file(name: str) -> str:
    return "test-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".html"


def export(db_url: str | None, out_dir: str | Path) -> list[Path]:
    """Write every dashboard page (but the boards, which are live) to `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app(db_url)
    db = app.config["KEEL_DB"]
    logs = {r["id"]: r["log_path"] for r in db.results() if r["log_path"]}
    tests = sorted({r["test"] for r in db.results()})
    client = app.test_client()

    def local(match: re.Match) -> str:
        attr, url = match.groups()
        parts = urlsplit(url)
        if parts.path in PAGES:
            target = PAGES[parts.path]
        elif parts.path == "/test":
            target = test_file(unquote(parse_qs(parts.query).get("name", [""])[0]))
        elif parts.path.startswith("/log/") and int(parts.path[5:]) in logs:
            target = os.path.relpath(logs[int(parts.path[5:])], out)
        elif parts.path == "/static/plotly.min.js":
            target = "plotly.min.js"
        else:
            target = "#"  # the boards page lives only in `farm web`
        return f'{attr}="{target}"'

    written = []
    pages = dict(PAGES) | {f"/test?name={name}": test_file(name) for name in tests}
    for url, name in pages.items():
        html = client.get(url).get_data(as_text=True)
        html = re.sub(r'<meta http-equiv="refresh"[^>]*>', "", _LINK.sub(local, html))
        (out / name).write_text(html)
        written.append(out / name)
    (out / "plotly.min.js").write_bytes(client.get("/static/plotly.min.js").get_data())
    db.close()
    return written
