"""Serve the app with the browse pages on a free local port, for the browser tests.

Run as a process: ``python browse_server.py ROOT``; it prints ``PORT <n>`` when it listens.
"""

from __future__ import annotations

import sys
from pathlib import Path

from werkzeug.serving import make_server

from pflegegraph.settings import Settings
from pflegegraph.web import create_app
from pflegegraph.web.browse import register


def main() -> None:
    root = Path(sys.argv[1])
    settings = Settings.load({"data": [root / "data" / "braunschweig"], "ontology": root / "ontology",
                              "shapes": root / "shapes", "queries": root / "queries"}, environ={})
    app = create_app(settings)
    register(app)
    app.extensions["pflegegraph.runner"].start()  # fork the query workers while single-threaded
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
