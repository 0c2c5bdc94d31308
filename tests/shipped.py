"""Paths of the shipped ontology, data, shapes and queries, for tests to import."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "braunschweig"
QUERIES = ROOT / "queries"
SHAPES = ROOT / "shapes"
ONTOLOGY = ROOT / "ontology"
