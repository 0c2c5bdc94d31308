"""CSV tables for people and spreadsheets, from the named queries, with CSVW metadata."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from pflegegraph.namedqueries import QueryCatalog
from pflegegraph.results import csv_value
from pflegegraph.store import GraphStore

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Table:
    file: str
    query: str
    # Columns made by GROUP_CONCAT, whose parts come in no defined order: sorted for stable output.
    lists: tuple[tuple[str, str], ...] = ()


TABLES = (
    Table("action-fields.csv", "action-fields-by-priority", (("horizons", ", "),)),
    Table("measures.csv", "measures-per-action-field"),
    Table("funding-programmes.csv", "funding-programmes", (("fundingShares", "; "), ("consideredFor", "; "))),
    Table("isek-matrix.csv", "isek-cross-reference"),
)


def _datatype(terms) -> str:
    kinds = set()
    for term in terms:
        if isinstance(term, ox.NamedNode):
            kinds.add("anyURI")
        elif isinstance(term, ox.Literal):
            dt = term.datatype.value
            kinds.add(dt[len(XSD):] if dt.startswith(XSD) and not term.language else "string")
    return kinds.pop() if len(kinds) == 1 else "string"


def write_tables(folder: Path, store: GraphStore, catalog: QueryCatalog, lang: str,
                 table_url_base: str) -> tuple[list[Path], dict]:
    """Write the CSV files and return them with the CSVW metadata document."""
    paths, tables = [], []
    for table in TABLES:
        query = catalog.get(table.query)
        result = store.query(query.text, query.bindings({"lang": lang}, store.prefixes), source=query.name)
        lists = dict(table.lists)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            cells = []
            for name in result.variables:
                value = csv_value(row.get(name))
                if name in lists and value:
                    value = lists[name].join(sorted(value.split(lists[name])))
                cells.append(value)
            writer.writerow(cells)
        path = folder / table.file
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        paths.append(path)
        tables.append({
            "url": table.file,
            "dc:title": [{"@value": query.title_in("de"), "@language": "de"},
                         {"@value": query.title_in("en"), "@language": "en"}],
            "dc:description": [{"@value": query.description_in("de"), "@language": "de"},
                               {"@value": query.description_in("en"), "@language": "en"}],
            "dc:source": f"queries/{query.path.name}",
            "tableSchema": {"columns": [
                {"name": name, "titles": name,
                 "datatype": _datatype(row.get(name) for row in result.rows)}
                for name in result.variables]},
        })
    metadata = {"@context": ["http://www.w3.org/ns/csvw", {"@language": "de"}],
                "@id": table_url_base + "csv-metadata.json", "tables": tables}
    return paths, metadata


def write_metadata(folder: Path, metadata: dict) -> Path:
    path = folder / "csv-metadata.json"
    text = json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
