"""Full-text search over labels and definitions, in memory. Plain Python; no Flask.

Text and query are folded the same way: case-folded, ß as "ss", and umlauts both spelled out
("ü" as "ue") and stripped ("ü" as "u"), so "Prüfung", "Pruefung" and "Prufung" all find
"Prüfung", and "Strasse" finds "Straße". A query matches inside words: "Pflege" finds
"Wohn-Pflege-Gemeinschaften". Every word of the query must occur; labels rank above definitions,
whole words above parts of words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pflegegraph.labels import DEFINITION_PROPERTIES, LABEL_PROPERTIES, SKOS

_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORDS = re.compile(r"\w+", re.UNICODE)

TEXT_PROPERTIES = LABEL_PROPERTIES + (SKOS + "altLabel",) + DEFINITION_PROPERTIES


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def folds(text: str) -> tuple[str, str]:
    """Two foldings of ``text``: umlauts spelled out (ue) and umlauts stripped (u)."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    spelled = _strip_marks(lowered.translate(_SPELLED))
    stripped = _strip_marks(lowered.replace("ß", "ss"))
    return spelled, stripped


@dataclass
class Entry:
    iri: str
    prop: str
    lang: str
    text: str
    spelled: str
    stripped: str
    is_label: bool


@dataclass
class Hit:
    iri: str
    score: float
    text: str  # the best-matching text
    prop: str
    lang: str
    spans: list[tuple[int, int]]  # where the query words are in ``text`` (for highlighting)


class SearchIndex:
    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def build(cls, store) -> SearchIndex:
        values = " ".join(f"<{p}>" for p in TEXT_PROPERTIES)
        result = store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . "
                             "FILTER(isIRI(?s) && isLiteral(?o)) }")
        labels = set(LABEL_PROPERTIES) | {SKOS + "altLabel"}
        entries = []
        for row in result.rows:
            text = row["o"].value
            spelled, stripped = folds(text)
            entries.append(Entry(row["s"].value, row["p"].value, row["o"].language or "", text,
                                 spelled, stripped, row["p"].value in labels))
        return cls(entries)

    def search(self, query: str, lang: str = "de", limit: int = 50) -> list[Hit]:
        words = [w for w in _WORDS.findall(query) if w]
        if not words:
            return []
        folded = [folds(w) for w in words]
        best: dict[str, tuple[float, Entry]] = {}
        for entry in self.entries:
            score = 0.0
            for spelled, stripped in folded:
                hit = _word_score(entry, spelled, stripped)
                if hit == 0:
                    break
                score += hit
            else:
                score *= 3 if entry.is_label else 1
                if entry.lang == lang:
                    score *= 1.2
                current = best.get(entry.iri)
                if current is None or score > current[0]:
                    best[entry.iri] = (score, entry)
        ranked = sorted(best.values(), key=lambda se: (-se[0], len(se[1].text), se[1].iri))[:limit]
        return [Hit(e.iri, score, e.text, e.prop, e.lang, highlight(e.text, words))
                for score, e in ranked]


def _word_score(entry: Entry, spelled: str, stripped: str) -> float:
    for haystack, needle in ((entry.spelled, spelled), (entry.stripped, stripped),
                             (entry.stripped, spelled)):
        at = haystack.find(needle)
        if at < 0:
            continue
        if haystack == needle:
            return 10.0
        starts = at == 0 or not haystack[at - 1].isalnum()
        end = at + len(needle)
        ends = end == len(haystack) or not haystack[end].isalnum()
        return 4.0 if starts and ends else 2.0 if starts else 1.0
    return 0.0


def highlight(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` where the words occur, under the same folding."""
    maps = []
    for which in (0, 1):
        folded, owner = [], []
        for i, c in enumerate(text):
            piece = folds(c)[which]
            folded.append(piece)
            owner += [i] * len(piece)
        maps.append(("".join(folded), owner))
    spans = []
    for word in words:
        for needle in set(folds(word)):
            for haystack, owner in maps:
                at = haystack.find(needle) if needle else -1
                if at >= 0:
                    spans.append((owner[at], owner[at + len(needle) - 1] + 1))
                    break
            else:
                continue
            break
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
