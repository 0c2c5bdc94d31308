"""Benchmark pflegegraph's embedded store against rdflib's in-memory SPARQL engine, in one run.

    python bench/run_queries.py --sizes shipped,100k,1m

For every size (``shipped`` = ontology/ + data/braunschweig/; ``100k``, ``1m`` = ontology/ +
bench/generated/<size>/, generated first if missing) and every engine, one worker process
(bench/worker.py) loads the graph and runs each named query of queries/ with its default
parameters: one warm-up run, then up to --runs timed runs (fewer for slow queries, see
--query-budget); the median is reported. A request that overruns --timeout kills the worker (the
next query gets a fresh one). The peak RSS of each engine is read from the kernel (os.wait4) when
its worker ends. Results: a table on stdout, bench/out/results.json and bench/out/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from report import markdown, table  # noqa: E402

ENGINES = ("pflegegraph", "rdflib")
SHIPPED_PARAMS = {"provenance": {"resource": "bshf:vernetzung"}}


def size_triples(label: str) -> int:
    label = label.lower()
    if label.endswith("m"):
        return int(float(label[:-1]) * 1_000_000)
    if label.endswith("k"):
        return int(float(label[:-1]) * 1000)
    return int(label)


def dataset(label: str) -> tuple[Path, dict]:
    """The data folder of a size and the parameter values for queries without defaults."""
    if label == "shipped":
        return ROOT / "data" / "braunschweig", SHIPPED_PARAMS
    folder = BENCH / "generated" / label
    if not (folder / "manifest.json").is_file():
        print(f"[generate] {folder} is missing; generating it", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "generate.py"),
                "--triples",
                str(size_triples(label)),
                "--out",
                str(folder),
            ],
            check=True,
        )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return folder, manifest.get("params", {})


class Timeout(Exception):
    pass


class Worker:
    """One engine in a subprocess; peak RSS over all its incarnations is kept in ``peak_mb``."""

    def __init__(self, engine: str, data: Path, load_timeout: float):
        self.engine, self.data, self.load_timeout = engine, data, load_timeout
        self.proc: subprocess.Popen | None = None
        self.peak_mb = 0.0
        self.loads: list[dict] = []

    def start(self) -> dict:
        cmd = [
            sys.executable,
            str(BENCH / "worker.py"),
            "--engine",
            self.engine,
            "--ontology",
            str(ROOT / "ontology"),
            "--data",
            str(self.data),
            "--queries",
            str(ROOT / "queries"),
        ]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        loaded = self._read(self.load_timeout)
        self.loads.append(loaded)
        return loaded

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.stop(kill=True)
            raise Timeout
        line = self.proc.stdout.readline()
        if not line:
            self.stop(kill=True)
            raise RuntimeError(f"{self.engine} worker died (exit status {self.proc.returncode})")
        return json.loads(line)

    def request(self, name: str, values: dict, timeout: float) -> dict:
        if self.proc is None:
            self.start()
        self.proc.stdin.write(json.dumps({"name": name, "values": values}) + "\n")
        self.proc.stdin.flush()
        reply = self._read(timeout)
        self.peak_mb = max(self.peak_mb, reply.get("maxrss_mb", 0))
        return reply

    def stop(self, kill: bool = False) -> None:
        """End the worker (kill it on overrun) and keep its peak RSS as the kernel counted it."""
        if self.proc is None:
            return
        if kill:
            self.proc.send_signal(signal.SIGKILL)
        else:
            self.proc.stdin.close()
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.peak_mb = max(self.peak_mb, usage.ru_maxrss / 1024)
        self.proc.stdout.close()
        self.proc = None


def measure_query(worker: Worker, name: str, values: dict, args) -> dict:
    """Warm-up, then timed runs; the median of the timed runs. Slow queries get fewer runs."""
    try:
        first = worker.request(name, values, args.timeout)
    except Timeout:
        return {
            "status": "timeout",
            "timeout_s": args.timeout,
            "note": f"no answer within {args.timeout:.0f} s",
        }
    if "error" in first:
        return {"status": "error", "note": first["error"]}
    samples = []
    if first["seconds"] * 2 > args.query_budget:
        samples = [first["seconds"]]  # too slow to repeat: report the single (cold) run
    else:
        runs = max(1, min(args.runs, int(args.query_budget / max(first["seconds"], 1e-6)) - 1))
        for _ in range(runs):
            try:
                reply = worker.request(name, values, args.timeout)
            except Timeout:
                return {
                    "status": "timeout",
                    "timeout_s": args.timeout,
                    "rows": first["rows"],
                    "note": "a repeat run overran",
                }
            samples.append(reply["seconds"])
    return {
        "status": "ok",
        "rows": first["rows"],
        "median_s": statistics.median(samples),
        "runs": len(samples),
        "warmup": len(samples) > 1 or first["seconds"] * 2 <= args.query_budget,
        "min_s": min(samples),
        "max_s": max(samples),
        "query_sha256": first.get("query_sha256"),
    }


def predicted_skip(previous: dict | None, factor: float, timeout: float) -> str | None:
    """Skip a query at this size if the last size already overran, or would surely overrun now."""
    if previous is None:
        return None
    if previous["status"] in ("timeout", "skipped"):
        return f"skipped: {previous['status']} at the smaller size {previous['size']}"
    if previous["status"] == "ok" and previous["median_s"] * factor > timeout:
        return (
            f"skipped: {previous['median_s']:.1f} s at {previous['size']} x {factor:.0f} (size ratio) "
            f"> {timeout:.0f} s timeout (linear extrapolation, a lower bound)"
        )
    return None


def run_engine(
    engine: str, size: str, data: Path, params: dict, names: list[str], args, previous: dict, factor: float
) -> dict:
    worker = Worker(engine, data, args.load_timeout)
    print(f"[{size}] {engine}: loading", flush=True)
    try:
        loaded = worker.start()
    except Timeout:
        return {"load": {"status": "timeout"}, "queries": {}, "peak_rss_mb": worker.peak_mb}
    print(f"[{size}] {engine}: loaded {loaded['triples']} triples in {loaded['seconds']:.2f} s", flush=True)
    results = {}
    for name in names:
        skip = None if args.no_skip else predicted_skip(previous.get((engine, name)), factor, args.timeout)
        if skip:
            results[name] = {"status": "skipped", "note": skip}
        else:
            results[name] = measure_query(worker, name, params.get(name, {}), args)
            if results[name]["status"] == "timeout":
                worker.stop(kill=True)
        results[name]["size"] = size
        r = results[name]
        shown = f"{r['median_s'] * 1000:.1f} ms, {r['rows']} rows" if r["status"] == "ok" else r["note"]
        print(f"[{size}] {engine}: {name}: {shown}", flush=True)
    worker.stop()
    return {
        "load": {
            "status": "ok",
            "seconds": loaded["seconds"],
            "triples": loaded["triples"],
            "rss_after_load_mb": loaded["maxrss_mb"],
            "restarts": len(worker.loads) - 1,
        },
        "queries": results,
        "peak_rss_mb": worker.peak_mb,
    }


def query_versions(names: list[str]) -> dict:
    """The git commit and a hash of each query file, so figures can be tied to query versions."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "queries"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return {
        "git_head": head.stdout.strip(),
        "queries_changed_since_head": sorted(x[3:] for x in changed if x),
        "sha256": {
            n: hashlib.sha256((ROOT / "queries" / f"{n}.rq").read_bytes()).hexdigest()[:12] for n in names
        },
    }


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "note": "shared machine: other engineers' jobs ran at the same time",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="shipped,100k,1m", help="comma-separated: shipped, 100k, 1m, ...")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--queries", default="", help="only these named queries (comma-separated)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query after warm-up (median)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per query run before the kill")
    parser.add_argument("--load-timeout", type=float, default=1200, help="seconds allowed for loading")
    parser.add_argument(
        "--query-budget",
        type=float,
        default=20,
        help="seconds of timed runs per query; slower queries get fewer runs",
    )
    parser.add_argument(
        "--no-skip",
        action="store_true",
        help="run every query at every size, even those that overran at a smaller size",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    args = parser.parse_args(argv)

    import pyoxigraph
    import rdflib

    from pflegegraph.namedqueries import QueryCatalog

    names = [q.name for q in QueryCatalog(ROOT / "queries")]
    if args.queries:
        names = [n for n in names if n in args.queries.split(",")]
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    engines = [e for e in args.engines.split(",") if e in ENGINES]
    report = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {"pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__},
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "queries": query_versions(names),
        "sizes": {},
    }
    previous: dict = {}
    previous_triples = None
    started = time.perf_counter()
    for size in sizes:
        data, params = dataset(size)
        entry = {"data": str(data.relative_to(ROOT)), "params": params, "engines": {}}
        for engine in engines:
            factor = 1.0
            if previous_triples:
                factor = size_triples(size) / previous_triples if size != "shipped" else 1.0
            entry["engines"][engine] = run_engine(engine, size, data, params, names, args, previous, factor)
        report["sizes"][size] = entry
        for engine, result in entry["engines"].items():
            for name, r in result["queries"].items():
                previous[(engine, name)] = r
        previous_triples = (entry["engines"].get("pflegegraph") or next(iter(entry["engines"].values())))[
            "load"
        ].get("triples")
        print(table(size, entry, names), flush=True)
    report["wall_seconds"] = time.perf_counter() - started
    report["machine"]["loadavg_end"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(markdown(report, names), encoding="utf-8")
    print(
        f"wrote {args.out / 'results.json'} and {args.out / 'results.md'} "
        f"({report['wall_seconds'] / 60:.1f} min)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
