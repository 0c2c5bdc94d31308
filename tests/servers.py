"""Real servers on 127.0.0.1 for the service and remote-store tests: started on free ports,
waited for, and always torn down (the whole process group each started). ``Oxigraph`` can be
killed and started again on the same folder and port; ``KillingProxy`` kills it at a chosen
moment of a conversation."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "braunschweig"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PFLEGEGRAPH_")}
    env.update(PYTHONIOENCODING="utf-8", PFLEGEGRAPH_DATA=str(DATA),
               PFLEGEGRAPH_ONTOLOGY=str(ROOT / "ontology"), PFLEGEGRAPH_SHAPES=str(ROOT / "shapes"),
               PFLEGEGRAPH_QUERIES=str(ROOT / "queries"))
    env.update(extra)
    return env


def wait_for(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s: {log.read_text(errors='replace')}")


@contextlib.contextmanager
def running(cmd: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None,
            timeout: float = 30.0):
    """Run ``cmd`` in its own process group until the block ends."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    try:
        wait_for(ready_url, proc, timeout, log)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    with contextlib.suppress(ProcessLookupError):  # children left behind in the group
        os.killpg(proc.pid, signal.SIGKILL)


def pflegegraph_service(tmp: Path, *options: str, env: dict[str, str] | None = None):
    """``pflegegraph serve`` (gunicorn) on a free port; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "pflegegraph", "serve", "--host", "127.0.0.1", "--port", str(port),
           *options]
    return _url_context(running(cmd, f"http://127.0.0.1:{port}/health", tmp / f"serve-{port}.log",
                                env or clean_env(), timeout=60), f"http://127.0.0.1:{port}")


def oxigraph_server(tmp: Path, *options: str, memory: bool = False):
    """``oxigraph serve`` with the union default graph, on a free port; yields its base URL.
    ``memory``: its data in memory (as the embedded store keeps it), not in a folder in ``tmp``."""
    return _url_context(Oxigraph(tmp, *options, memory=memory), None)


class Oxigraph:
    """``oxigraph serve`` on a free port with its database in ``tmp``, which a test may kill and
    start again on the same folder and port (``with Oxigraph(tmp) as url``: started, and stopped
    at the end of the block whatever happened)."""

    def __init__(self, tmp: Path, *options: str, memory: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.location = tmp / f"oxigraph-{self.port}"
        self.log = tmp / f"oxigraph-{self.port}.log"
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        where = [] if memory else ["--location", str(self.location)]
        self.cmd = [binary, "serve", *where, "--bind", f"127.0.0.1:{self.port}",
                    "--union-default-graph", *options]
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def missing() -> bool:
        return shutil.which("oxigraph") is None and not (Path(sys.executable).parent / "oxigraph").exists()

    def start(self, timeout: float = 30.0) -> str:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            wait_for(f"{self.url}/query?query=ASK%7B%7D", self.proc, timeout, self.log)
        except BaseException:
            self.stop()
            raise
        return self.url

    def ensure_running(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: no chance to finish anything."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def _url_context(ctx, url: str | None):
    with ctx as given:
        yield url or given


class Link:
    """One client connection through the proxy: what went up to the store, what came down."""

    def __init__(self):
        self.up = b""
        self.down = b""
        self.doomed = False


# A trigger looks at a link after each chunk and returns the position in that direction's
# stream at which the store dies (bytes before it are forwarded), or None to go on.
Trigger = Callable[[Link, str, int], "int | None"]


class KillingProxy:
    """Forwards 127.0.0.1:<port> to the store; when the armed trigger fires it forwards the bytes
    up to the trigger's position, kills the store with SIGKILL and closes the connection. It fires
    once; afterwards it forwards again (to nothing while the store is down)."""

    def __init__(self, store: Oxigraph):
        self.store = store
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.trigger: Trigger | None = None
        self.fired = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, trigger: Trigger) -> None:
        self.fired.clear()
        self.trigger = trigger

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (Linux)
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.store.port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()  # the store is down: the client sees the connection end
                continue
            link, pair = Link(), (client, upstream)
            threading.Thread(target=self._pump, args=(link, "up", client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(link, "down", upstream, client, pair), daemon=True).start()

    def _pump(self, link: Link, direction: str, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while data := src.recv(65536):
                with self.lock:
                    setattr(link, direction, getattr(link, direction) + data)
                    seen = getattr(link, direction)
                    cut = self.trigger(link, direction, len(data)) if self.trigger else None
                    if cut is not None:  # all of it inside the lock: nothing passes after the cut
                        self.trigger = None
                        dst.sendall(seen[len(seen) - len(data):max(cut, len(seen) - len(data))])
                        self.store.kill()
                        self.fired.set()  # before the client can see the link end
                        _close(pair)
                        return
                dst.sendall(data)
        except OSError:
            pass
        _close(pair)


def _close(pair) -> None:
    for sock in pair:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def virtuoso_server(tmp: Path):
    """Debian's Virtuoso (virtuoso-t) with its database in ``tmp``; yields its base URL.

    Anonymous /sparql is read-only; updates go to /sparql-auth with digest auth (dba/dba on a
    fresh database).
    """
    sql_port, http_port = free_port(), free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    ini = tmp / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=tmp, sql_port=sql_port, http_port=http_port))
    cmd = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", str(ini)]
    url = f"http://127.0.0.1:{http_port}"
    return _url_context(running(cmd, f"{url}/sparql?query=ASK%7B%7D", tmp / "virtuoso-stdout.log",
                                timeout=120), url)
