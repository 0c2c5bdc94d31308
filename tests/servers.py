"""Real servers on 127.0.0.1 for the service and remote-store tests: started on free ports,
waited for, and always torn down (the whole process group each started)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def oxigraph_server(tmp: Path, *options: str):
    """``oxigraph serve`` with the union default graph, on a free port; yields its base URL."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    location = tmp / f"oxigraph-{port}"
    cmd = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
           "--union-default-graph", *options]
    return _url_context(running(cmd, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D",
                                tmp / f"oxigraph-{port}.log"), f"http://127.0.0.1:{port}")


@contextlib.contextmanager
def _url_context(ctx, url: str):
    with ctx:
        yield url


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
