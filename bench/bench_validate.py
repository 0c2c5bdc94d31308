"""Benchmark `pflegegraph validate` against a plain `pyshacl` command-line run on the same files.

    python bench/bench_validate.py                 # shipped graph and a synthetic 100k graph
    python bench/bench_validate.py --sizes 100000 1000000

For each case the ontology and data are written to one Turtle file under bench/generated/
(git-ignored) and the shapes to one shapes file, so that both tools read exactly the same input.
Both run as separate processes, end to end (parse and validate). The two reports are parsed and
their results compared (focus node, path, value, severity, source shape, constraint component);
the benchmark fails if they differ. It prints the times and the ratio plain/ours.
Not part of pytest.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from rdflib import BNode, Graph

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "generated"
sys.path.insert(0, str(HERE))

from pflegegraph.validation.report import results_from_graph  # noqa: E402
from validate_data import generate  # noqa: E402


def concat(files: list[Path], target: Path) -> Path:
    """One Turtle file holding all the given Turtle files (prefix lines may repeat: allowed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(f.read_text(encoding="utf-8") for f in files), encoding="utf-8")
    return target


def result_key(r) -> tuple:
    def term(node):
        return "_:" if isinstance(node, BNode) else str(node)

    return (
        term(r.focus),
        str(r.path),
        term(r.value),
        str(r.severity),
        term(r.source_shape),
        str(r.component),
    )


def report_results(path: Path) -> Counter:
    graph = Graph().parse(path, format="turtle")
    return Counter(result_key(r) for r in results_from_graph(graph))


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, done


def run_case(name: str, data: Path, shapes: Path, jobs: int) -> dict:
    plain_out = OUT / f"{name}.pyshacl.ttl"
    ours_out = OUT / f"{name}.pflegegraph.ttl"
    empty = OUT / "no-ontology"
    empty.mkdir(parents=True, exist_ok=True)
    plain_s, plain = timed(
        [
            sys.executable,
            "-m",
            "pyshacl",
            "-s",
            str(shapes),
            "-i",
            "none",
            "-f",
            "turtle",
            "-o",
            str(plain_out),
            str(data),
        ]
    )
    if plain.returncode not in (0, 1):
        raise SystemExit(f"pyshacl failed on {name}: {plain.stderr[-2000:]}")
    ours_s, ours = timed(
        [
            sys.executable,
            "-m",
            "pflegegraph",
            "validate",
            "--data",
            str(data),
            "--ontology",
            str(empty),
            "--shapes",
            str(ROOT / "shapes"),
            "--format",
            "turtle",
            "--jobs",
            str(jobs),
            "--output",
            str(ours_out),
        ]
    )
    if ours.returncode not in (0, 1):
        raise SystemExit(f"pflegegraph validate failed on {name}: {ours.stderr[-2000:]}")
    a, b = report_results(plain_out), report_results(ours_out)
    triples = sum(1 for line in data.open(encoding="utf-8") if line.rstrip().endswith((".", ";", ",")))
    return {
        "name": name,
        "plain": plain_s,
        "ours": ours_s,
        "results": sum(a.values()),
        "equal": a == b,
        "only_plain": sum((a - b).values()),
        "only_ours": sum((b - a).values()),
        "lines": triples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[100_000],
        help="synthetic graph sizes in triples (default: 100000)",
    )
    parser.add_argument("--jobs", type=int, default=0, help="worker processes for ours (0: one per core)")
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped Braunschweig graph")
    args = parser.parse_args(argv)
    ontology = sorted((ROOT / "ontology").glob("*.ttl"))
    shapes = concat(sorted((ROOT / "shapes").glob("*.ttl")), OUT / "shapes-all.ttl")
    cases = []
    if not args.no_shipped:
        files = ontology + sorted((ROOT / "data" / "braunschweig").glob("*.ttl"))
        cases.append(("shipped", concat(files, OUT / "shipped.ttl")))
    for size in args.sizes:
        path = OUT / f"synthetic-{size}.ttl"
        if not path.exists():
            generate(path, size, ontology=ontology)
        cases.append((f"synthetic-{size}", path))
    print(f"{'case':22} {'pyshacl s':>10} {'ours s':>8} {'ratio':>6} {'results':>8}  identical")
    failed = False
    for name, path in cases:
        row = run_case(name, path, shapes, args.jobs)
        failed |= not row["equal"]
        note = (
            "yes" if row["equal"] else f"NO ({row['only_plain']} only pyshacl, {row['only_ours']} only ours)"
        )
        print(
            f"{name:22} {row['plain']:10.2f} {row['ours']:8.2f} {row['plain'] / row['ours']:5.1f}x "
            f"{row['results']:8d}  {note}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
