"""Benchmark `pflegegraph validate` against a plain `pyshacl` command-line run on the same files.

    python bench/bench_validate.py                         # shipped graph and a synthetic 100k graph
    python bench/bench_validate.py --sizes 100000 1000000
    python bench/bench_validate.py --per-shape 100000      # plain pyshacl, one top-level shape at a time

For each case the ontology and data are written to one Turtle file under bench/generated/
(git-ignored) and the shapes to one shapes file, so that both tools read exactly the same input.
Both run as separate processes, end to end (parse and validate): plain is
`python -m pyshacl -a -i none -f turtle` (-a: the shapes use SHACL-AF SPARQL targets), ours is
`python -m pflegegraph validate --format turtle`. Parsing alone is timed in two more processes
(rdflib's Turtle parser for plain, pflegegraph's reader for ours). The two reports are parsed and
their results compared (focus node, path, value, severity, source shape, constraint component);
the benchmark fails if they differ. Peak memory is the kernel's peak RSS of each process
(os.wait4; for ours the largest of the main process and its workers). Not part of pytest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "generated"
RESULTS = HERE / "out" / "validate.json"
sys.path.insert(0, str(HERE))

from pflegegraph.validation.report import results_from_graph  # noqa: E402
from pflegegraph.validation.shapeindex import ShapeIndex  # noqa: E402
from validate_data import generate  # noqa: E402

PLAIN_PARSE = (
    "import json, sys, time\nfrom rdflib import Graph\nstarted = time.perf_counter()\n"
    "graph = Graph().parse(sys.argv[1], format='turtle')\n"
    "print(json.dumps({'seconds': time.perf_counter() - started, 'triples': len(graph)}))\n"
)
OURS_PARSE = (
    "import json, sys, time\nfrom pathlib import Path\n"
    "from pflegegraph.validation.inputs import read_inputs\nstarted = time.perf_counter()\n"
    "inputs = read_inputs('https://w3id.org/pflegegraph/graph/', Path(sys.argv[2]), [Path(sys.argv[1])],"
    " Path(sys.argv[3]))\n"
    "print(json.dumps({'seconds': time.perf_counter() - started, 'triples': len(inputs.data)}))\n"
)


@dataclass
class Child:
    seconds: float
    peak_mb: float
    status: str  # "ok", "exit N", "timeout"
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_child(cmd: list[str], timeout: float, ok_codes: tuple = (0,)) -> Child:
    """Run a process (in its own session), with its wall time and the kernel's peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, start_new_session=True)  # noqa: S603
        status = None
        while True:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                _, code, usage = os.wait4(proc.pid, 0)
                status = "timeout"
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(code)
        if status is None:
            status = "ok" if proc.returncode in ok_codes else f"exit {proc.returncode}"
        out.seek(0)
        err.seek(0)
        return Child(seconds, usage.ru_maxrss / 1024, status, out.read().decode(), err.read().decode())


def per_shape(data: Path, shapes: Path, timeout: float) -> int:
    """Plain pyshacl (advanced mode, in place), one top-level shape and the shapes it uses at a time.

    The graph is parsed once; each shape runs in a forked process that is stopped after ``timeout``
    seconds, so one slow shape does not hide the others."""
    started = time.perf_counter()
    graph = Graph().parse(data, format="turtle")
    shapes_graph = Graph().parse(shapes, format="turtle")
    print(f"{data.name}: {len(graph)} triples, parsed by rdflib in {time.perf_counter() - started:.1f} s")
    index = ShapeIndex(shapes_graph)
    context = multiprocessing.get_context("fork")
    rows = []
    for shape in index.top_level:
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_one_shape, args=(graph, shapes_graph, index.closure(shape), send))
        started = time.perf_counter()
        worker.start()
        send.close()
        count = receive.recv() if receive.poll(timeout) else None
        seconds = time.perf_counter() - started
        if count is None:
            worker.kill()
        worker.join()
        rows.append((seconds, index.name(shape), count))
        print(_shape_line(index.name(shape), seconds, count), flush=True)
    print("\nslowest first:")
    for seconds, name, count in sorted(rows, reverse=True)[:10]:
        print(_shape_line(name, seconds, count))
    return 0


def _one_shape(graph: Graph, shapes: Graph, use: list, send) -> None:
    import pyshacl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                        inplace=True, use_shapes=[str(s) for s in use])
    send.send(len(results_from_graph(report)))


def _shape_line(name: str, seconds: float, count: int | None) -> str:
    return f"{name:32} {seconds:9.2f} s  " + ("timeout" if count is None else f"{count} results")


def concat(files: list[Path], target: Path) -> Path:
    """One Turtle file holding all the given Turtle files (prefix lines may repeat: allowed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(f.read_text(encoding="utf-8") for f in files), encoding="utf-8")
    return target


def result_key(r) -> tuple:
    def term(node):
        return "_:" if isinstance(node, BNode) else str(node)

    return (term(r.focus), str(r.path), term(r.value), str(r.severity), term(r.source_shape),
            str(r.component))


def report_results(path: Path) -> Counter:
    graph = Graph().parse(path, format="turtle")
    return Counter(result_key(r) for r in results_from_graph(graph))


def run_case(name: str, data: Path, shapes: Path, jobs: int, timeout: float) -> dict:
    plain_out, ours_out = OUT / f"{name}.pyshacl.ttl", OUT / f"{name}.pflegegraph.ttl"
    for stale in (plain_out, ours_out):
        stale.unlink(missing_ok=True)
    empty = OUT / "no-ontology"
    empty.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    row: dict = {"name": name}
    parse = run_child([py, "-c", PLAIN_PARSE, str(data)], timeout)
    row["plain_parse"] = json.loads(parse.stdout)["seconds"] if parse.ok else None
    row["triples"] = json.loads(parse.stdout)["triples"] if parse.ok else None
    parse = run_child([py, "-c", OURS_PARSE, str(data), str(empty), str(ROOT / "shapes")], timeout)
    row["ours_parse"] = json.loads(parse.stdout)["seconds"] if parse.ok else None
    plain = run_child([py, "-m", "pyshacl", "-s", str(shapes), "-i", "none", "-a", "-f", "turtle",
                       "-o", str(plain_out), str(data)], timeout, ok_codes=(0, 1))
    row.update(plain=plain.seconds, plain_mb=plain.peak_mb, plain_status=plain.status)
    ours = run_child([py, "-m", "pflegegraph", "validate", "--data", str(data), "--ontology", str(empty),
                      "--shapes", str(ROOT / "shapes"), "--format", "turtle", "--jobs", str(jobs),
                      "--output", str(ours_out)], timeout, ok_codes=(0, 1))
    row.update(ours=ours.seconds, ours_mb=ours.peak_mb, ours_status=ours.status)
    if not ours.ok:
        raise SystemExit(f"pflegegraph validate failed on {name}: {ours.status} {ours.stderr[-2000:]}")
    b = report_results(ours_out)
    row["results"] = sum(b.values())
    if plain.ok:
        a = report_results(plain_out)
        row.update(equal=a == b, only_plain=sum((a - b).values()), only_ours=sum((b - a).values()))
    else:
        row.update(equal=None, only_plain=None, only_ours=None)
    return row


def _s(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_row(row: dict) -> None:
    if row["equal"] is None:
        same = f"? (pyshacl {row['plain_status']})"
    else:
        only = f"{row['only_plain']} only pyshacl, {row['only_ours']} only ours"
        same = "yes" if row["equal"] else f"NO ({only})"
    ratio = ("" if row["plain_status"] == "ok" else ">") + f"{row['plain'] / row['ours']:.1f}x"
    print(f"{row['name']:18} {row['triples'] or 0:>9} {_s(row['plain_parse']):>8} {_s(row['plain']):>9} "
          f"{_s(row['ours_parse']):>8} {_s(row['ours']):>8} {ratio:>7} {row['plain_mb']:>7.0f} "
          f"{row['ours_mb']:>7.0f} {row['results']:>8}  {same}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000],
                        help="synthetic graph sizes in triples (default: 100000)")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes for ours (0: one per core)")
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped Braunschweig graph")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per process (default 3600)")
    parser.add_argument("--per-shape", type=int, metavar="SIZE",
                        help="instead: time plain pyshacl per top-level shape on the synthetic graph of SIZE")
    args = parser.parse_args(argv)
    ontology = sorted((ROOT / "ontology").glob("*.ttl"))
    shapes = concat(sorted((ROOT / "shapes").glob("*.ttl")), OUT / "shapes-all.ttl")
    if args.per_shape:
        return per_shape(synthetic(args.per_shape, ontology), shapes, args.timeout)
    cases = []
    if not args.no_shipped:
        files = ontology + sorted((ROOT / "data" / "braunschweig").glob("*.ttl"))
        cases.append(("shipped", concat(files, OUT / "shipped.ttl")))
    cases += [(f"synthetic-{size}", synthetic(size, ontology)) for size in args.sizes]
    print(f"{'case':18} {'triples':>9} {'pyshacl':>8} {'pyshacl':>9} {'ours':>8} {'ours':>8} {'ratio':>7} "
          f"{'pyshacl':>7} {'ours':>7} {'results':>8}  identical")
    print(f"{'':18} {'':>9} {'parse s':>8} {'total s':>9} {'parse s':>8} {'total s':>8} {'total':>7} "
          f"{'peak MB':>7} {'peak MB':>7}")
    rows, failed = [], False
    for name, path in cases:
        row = run_case(name, path, shapes, args.jobs, args.timeout)
        rows.append(row)
        failed |= row["equal"] is False
        print_row(row)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load": os.getloadavg(), "jobs": args.jobs, "cases": rows}, indent=1))
    return 1 if failed else 0


def synthetic(size: int, ontology: list[Path]) -> Path:
    path = OUT / f"synthetic-{size}.ttl"
    if not path.exists():
        started = time.perf_counter()
        generate(path, size, ontology=ontology)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
