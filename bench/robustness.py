"""Reproduce the robustness figures and write docs/robustness.md.

    python bench/robustness.py [--examples 200] [--seconds 20] [--clients 8]

1. the fuzz suite (tests/robustness) with PFLEGEGRAPH_FUZZ_EXAMPLES examples per target;
2. a bounded load test on 127.0.0.1 against a real `pflegegraph serve`: N clients over named
   queries, pages and /sparql for a fixed time; requests, errors, throughput, p50/p99, and the
   server's RSS before and after two rounds (memory stays flat);
3. fault injection: a query worker is killed mid-query; the client gets a clear error and the
   next query works.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import clean_env, free_port, running  # noqa: E402

PATHS = [
    "/queries/actors?run=1",
    "/queries/action-fields-by-priority?run=1",
    "/",
    "/views/isek",
    "/id/03101000/handlungsfeld/wohnen",
    "/class/ActionField",
    "/data/",
    "/health",
    "/sparql?"
    + urllib.parse.urlencode(
        {"query": "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> }"}
    ),
    "/sparql?"
    + urllib.parse.urlencode({"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50", "format": "csv"}),
]
PATHS_SIMPLE = "SELECT ?f WHERE { ?f a <https://w3id.org/pflegegraph/def#ActionField> }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def tree_rss_kib(pid: int) -> int:
    """RSS of the server process and all its descendants, in KiB."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True).stdout
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    family, grew = {pid}, True
    while grew:
        grew = False
        for p, pp, _ in rows:
            if pp in family and p not in family:
                family.add(p)
                grew = True
    return sum(rss for p, _, rss in rows if p in family)


def load(base: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        i = k
        while time.monotonic() < stop_at:
            path = PATHS[i % len(PATHS)]
            i += 1
            started = time.monotonic()
            try:
                status, _ = get(base + path)
            except OSError as exc:
                status = f"{type(exc).__name__}"
            took = time.monotonic() - started
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(f"{status} {path}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    n = len(latencies)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": n,
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput": round(n / seconds, 1),
        "p50_ms": round(1000 * latencies[n // 2], 1) if n else None,
        "p99_ms": round(1000 * latencies[min(n - 1, int(n * 0.99))], 1) if n else None,
    }


def fault(base: str, server_pid: int) -> dict:
    """Kill the query worker running a runaway query; the client must get a clear error."""
    outcome: dict = {}

    def runaway() -> None:
        outcome["answer"] = get(base + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), timeout=60)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(1.0)
    busy = _busiest(set(_descendants(server_pid)))
    os.kill(busy, 9)
    thread.join()
    status, body = outcome["answer"]
    next_status, next_body = get(base + "/sparql?query=ASK%7B%7D")
    return {
        "killed_pid": busy,
        "client_status": status,
        "client_message": body.decode(errors="replace").strip(),
        "next_query_status": next_status,
        "next_query_body": next_body.decode(errors="replace").strip()[:200],
        "survived": status == 503 and b"Traceback" not in body and next_status == 200,
    }


def runaways(base: str, count: int, timeout: float) -> dict:
    """``count`` runaway queries at once while one client keeps sending simple queries."""
    simple = base + "/sparql?" + urllib.parse.urlencode({"query": PATHS_SIMPLE})
    answers: list[tuple[int, float]] = []

    def runaway() -> None:
        started = time.monotonic()
        status, _ = get(base + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), timeout=60)
        answers.append((status, time.monotonic() - started))

    threads = [threading.Thread(target=runaway) for _ in range(count)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    latencies, errors = [], 0
    while any(t.is_alive() for t in threads):
        started = time.monotonic()
        status, _ = get(simple)
        latencies.append(time.monotonic() - started)
        errors += status != 200
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "runaways": count,
        "deadline_s": timeout,
        "runaway_statuses": sorted(a[0] for a in answers),
        "runaway_max_s": round(max(a[1] for a in answers), 2),
        "simple_queries": len(latencies),
        "simple_errors": errors,
        "simple_p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1),
        "simple_max_ms": round(1000 * latencies[-1], 1),
    }


def _descendants(pid: int, depth: int = 3) -> list[int]:
    """Processes ``depth`` generations below ``pid``: serve -> gunicorn worker -> zygote -> query worker."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    level = {pid}
    for _ in range(depth):
        level = {p for p, pp in rows if pp in level}
    return sorted(level)


def _busiest(pids: set[int]) -> int:
    out = subprocess.run(
        ["ps", "-o", "pid=,pcpu=", "-p", ",".join(map(str, pids))], capture_output=True, text=True
    ).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()]
    return int(max(rows, key=lambda r: float(r[1]))[0])


def fuzz(examples: int, report: Path) -> dict:
    env = {**os.environ, "PFLEGEGRAPH_FUZZ_EXAMPLES": str(examples), "PFLEGEGRAPH_FUZZ_REPORT": str(report)}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/robustness", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = [line for line in proc.stdout.splitlines() if " passed" in line or " failed" in line]
    return {
        "examples": examples,
        "exit": proc.returncode,
        "summary": summary[-1] if summary else proc.stdout[-300:],
        "seconds": round(time.monotonic() - started, 1),
        "cases": json.loads(report.read_text()) if report.exists() else {},
    }


def write_doc(
    path: Path, command: str, f: dict, rounds: list[dict], rss: list[int], faults: list[dict], deadline: list
) -> None:
    lines = [
        "# Robustness figures",
        "",
        "Reproduce with:",
        "",
        "```",
        command,
        "```",
        "",
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores.",
        "",
        "The quick version runs in the default `pytest` run (`tests/robustness`); the long version is",
        "`PFLEGEGRAPH_FUZZ_EXAMPLES=2000 pytest tests/robustness`.",
        "",
        "## Fuzzing",
        "",
        f"`pytest tests/robustness` with {f['examples']} examples per target: "
        f"{f['summary']} ({f['seconds']} s). Cases tried per target:",
        "",
        "| target | cases |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {n} |" for name, n in f["cases"].items()]
    lines += [
        f"| **total** | **{sum(f['cases'].values())}** |",
        "",
        "Invariant: never a 5xx (the one allowed is the documented 503 of the query deadline), never a",
        "traceback, every 4xx a non-empty plain message, and the service answers a simple query afterwards.",
        "Rows marked *known bug* are inputs that trip a bug pinned by a strict xfail test (see below);",
        "the fuzzers skip them and go on looking for others.",
        "",
        "## Load (loopback, real `pflegegraph serve`, gunicorn)",
        "",
        "| round | clients | seconds | requests | errors | req/s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {i + 1} | {r['clients']} | {r['seconds']:g} | {r['requests']} | {r['errors']} | "
        f"{r['throughput']} | {r['p50_ms']} | {r['p99_ms']} |"
        for i, r in enumerate(rounds)
    ]
    lines += [
        "",
        f"Mix: {len(PATHS)} URLs in turn (named queries run as pages, pages, resources, /data/, /health, "
        "/sparql SELECT as JSON and CSV).",
        "",
        f"Server RSS (all processes of the service): before {rss[0] // 1024} MiB, after round 1 "
        f"{rss[1] // 1024} MiB, after round 2 {rss[2] // 1024} MiB "
        f"(growth in round 2: {(rss[2] - rss[1]) / 1024:.1f} MiB).",
        "",
        "## Faults",
        "",
        "| fault | client got | next query | survived |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| query worker (pid {x['killed_pid']}) killed with SIGKILL mid-query | {x['client_status']} "
        f"`{x['client_message']}` | {x['next_query_status']} | {'yes' if x['survived'] else 'NO'} |"
        for x in faults
    ]
    lines += ["", "Deadline under concurrency (2 gunicorn workers x 2 query workers = 4 query workers):", ""]
    lines += [
        "| runaways at once | their answers | slowest runaway s | simple queries meanwhile | errors | "
        "simple p99 ms | simple max ms |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {d['runaways']} | {d['runaway_statuses']} | {d['runaway_max_s']} | {d['simple_queries']} | "
        f"{d['simple_errors']} | {d['simple_p99_ms']} | {d['simple_max_ms']} |"
        for d in deadline
    ]
    lines += [
        "",
        "A runaway holds its query worker until the deadline; when the runaways fill every query "
        "worker of one",
        "gunicorn worker, a simple query routed to that gunicorn worker waits for a "
        "free one (up to the deadline).",
        "",
    ]
    hostile = {k: v for k, v in f["cases"].items() if k.startswith("hostile")}
    lines += ["", "## Hostile input", "", "| input | cases |", "| --- | ---: |"]
    lines += [f"| {k.removeprefix('hostile: ')} | {v} |" for k, v in hostile.items()]
    lines += [
        "",
        "Refused SERVICE/FROM/LOAD targets: 127.0.0.1, localhost, 127.1, 2130706433, 0x7f000001,",
        "::ffff:127.0.0.1, 0.0.0.0, ::1, 10/8, 172.16/12, 192.168/16, 169.254.169.254, fd00::/8, file:",
        "and gopher:; a listener on 127.0.0.1 saw no connection.",
        "",
        "## Bugs found (pinned by strict xfail tests, not fixed here)",
        "",
        "1. `GET /sparql?query=SELECT * WHERE { ?s ?p ä }`: 500; `guard.tokens` raises AttributeError on a",
        "   bare word starting with a non-ASCII letter (ä, ª, ʰ, ǅ). Should be the 400 syntax error.",
        '2. `GET /sparql?query=ASK ` + `{ ` x 3000 + `}` x 3000: 503 "the query worker stopped before the',
        '   answer was complete" (the engine overflows its stack in the worker; the worker is replaced).',
        "   Should be a 4xx.",
        '3. `GET /class/a%20b` (also `%25`, `%3E`, `%22`, `%3A`): 500 "Interner Fehler"; class_page passes',
        "   the name to `pyoxigraph.NamedNode`, which raises ValueError. Should be 404/400.",
        '4. `GET /data/` + `x` x 3000: 500; the OS error "file name too long" is not caught. Should be 404.',
        '5. `GET /validate?format=..`: 500 "Interner Fehler". Should be 400/406.',
        '6. `pflegegraph query <5000 x>`: exit 3 "internal error: OSError: [Errno 36] File name too long".',
        '   Should be exit 1 "no such named query".',
        "7. `GET /id/a%00.ttl` (also `/id/a%20b.ttl`): 500 'Interner Fehler' (ValueError from pyoxigraph),",
        "   while `/id/a%00` answers 400. Should be 400/404.",
        "8. Faults: after a second query worker is killed (SIGKILL) mid-query in `pflegegraph serve`,",
        "   the following simple queries get `503 Busy: all 2 query workers stayed busy for 3 s` and once a",
        "   500, for several requests (see the Faults table: next query). The first kill is survived.",
        "9. Long run only (PFLEGEGRAPH_FUZZ_EXAMPLES=200, whole folder): a mutated query segfaults a query",
        "   worker (pyoxigraph; faulthandler trace in store.py `query`), and afterwards the header target",
        "   stalls for minutes (5+ min, one failure); the quick run does not reach it. Not yet minimised.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=200, help="hypothesis examples per fuzz target")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each load round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "robustness.md")
    args = parser.parse_args()
    command = (
        f"python bench/robustness.py --examples {args.examples} --seconds {args.seconds:g} "
        f"--clients {args.clients}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        print("fuzzing ...", flush=True)
        f = fuzz(args.examples, Path(tmp) / "cases.json")
        print(json.dumps(f, indent=1), flush=True)
        env = clean_env(PFLEGEGRAPH_QUERY_TIMEOUT="3")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [
            sys.executable,
            "-m",
            "pflegegraph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "4",
            "--query-workers",
            "2",
        ]
        with running(cmd, base + "/health", Path(tmp) / "serve.log", env, timeout=60) as proc:
            pid = proc.pid
            for path in PATHS:  # warm up every page once
                get(base + path)
            rss = [tree_rss_kib(pid)]
            rounds = []
            for k in range(2):
                print(f"load round {k + 1} ...", flush=True)
                rounds.append(load(base, args.clients, args.seconds))
                rss.append(tree_rss_kib(pid))
                print(rounds[-1], rss[-1], flush=True)
            print("runaway queries at once ...", flush=True)
            deadline = [runaways(base, n, 3.0) for n in (1, 2, 3)]
            print(deadline, flush=True)
            print("fault injection ...", flush=True)
            faults = [fault(base, pid) for _ in range(2)]
            print(faults, flush=True)
    write_doc(args.doc, command, f, rounds, rss, faults, deadline)
    print(f"wrote {args.doc}")
    ok = (
        f["exit"] == 0
        and all(r["errors"] == 0 for r in rounds)
        and all(x["survived"] for x in faults)
        and deadline["simple_errors"] == 0
        and set(deadline["runaway_statuses"]) == {503}
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
