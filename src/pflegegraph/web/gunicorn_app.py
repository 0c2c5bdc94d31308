"""Running the app under gunicorn: several worker processes, threads in each, and a query
process pool started in each worker right after it is forked (while it is single-threaded)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from pflegegraph.web.clients import SlotBook
from pflegegraph.web.gunicorn_worker import LingeringThreadWorker


class _Server(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(app, settings) -> None:
    runner = app.extensions["pflegegraph.runner"]
    gate = app.extensions["pflegegraph.clients"]
    book = SlotBook(gate)

    def pre_fork(server, worker):  # in the master, one worker at a time
        worker.pflegegraph_slot = book.assign(worker)

    def post_fork(server, worker):
        gate.use_slot(worker.pflegegraph_slot)
        runner.start()

    def worker_exit(server, worker):
        runner.stop()

    def child_exit(server, worker):  # in the master: the worker's running queries are over
        book.release(worker)

    options = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": LingeringThreadWorker,  # gthread, see gunicorn_worker.py
        # The query deadline is enforced by the query pool; gunicorn's own timeout only catches
        # a worker that stops answering its heartbeat.
        "timeout": int(max(30, settings.query_timeout * 3)),
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "pre_fork": pre_fork,
        "post_fork": post_fork,
        "worker_exit": worker_exit,
        "child_exit": child_exit,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "pflegegraph",
    }
    _Server(app, options).run()
