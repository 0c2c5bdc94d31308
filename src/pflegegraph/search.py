"""Full-text search over labels and definitions, in memory. Plain Python; no Flask.

Text and query are folded the same way: case-folded, ß as "ss", and umlauts both spelled out
("ü" as "ue") and stripped ("ü" as "u"), so "Prüfung", "Pruefung" and "Prufung" all find
"Prüfung", and "Strasse" finds "Straße". A query matches inside words: "Pflege" finds
"Wohn-Pflege-Gemeinschaften". Every word of the query must occur; labels rank above definitions,
whole words above parts of words.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from pflegegraph.labels import DEFINITION_PROPERTIES, LABEL_PROPERTIES, SKOS

_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORDS = re.compile(r"\w+", re.UNICODE)
_SEP = "\x00"  # between the texts of a joined string; no query word holds it

TEXT_PROPERTIES = LABEL_PROPERTIES + (SKOS + "altLabel",) + DEFINITION_PROPERTIES


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def folds(text: str) -> tuple[str, str]:
    """Two foldings of ``text``: umlauts spelled out (ue) and umlauts stripped (u)."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    spelled = _strip_marks(lowered.translate(_SPELLED))
    stripped = _strip_marks(lowered.replace("ß", "ss"))
    return spelled, stripped


@lru_cache(maxsize=4096)
def _folds_char(char: str) -> tuple[str, str]:
    return folds(char)  # highlight() folds text character by character; there are few characters


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
    """The entries, and the same texts joined into one string per folding for fast scanning.

    Entries with the same folded text share one "form". A query word is found in all forms with
    a few ``str.find`` calls over the joined string, and scored from its first occurrence in each
    form. Only forms that contain every word are ranked, best raw score first, and ranking stops
    as soon as the remaining forms cannot change the first ``limit`` hits. The index is made from
    ``entries`` once; later changes to the list are not seen.
    """

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        forms: dict[tuple[str, str], int] = {}
        self._form_entries: list[list[int]] = []  # entry numbers of each form, in order
        for number, entry in enumerate(entries):
            form = forms.setdefault((entry.spelled, entry.stripped), len(forms))
            if form == len(self._form_entries):
                self._form_entries.append([])
            self._form_entries[form].append(number)
        self._spelled = _Joined([spelled for spelled, _ in forms])
        self._stripped = _Joined([stripped for _, stripped in forms])
        # Most texts have no umlaut, and for them the stripped text is the spelled one.
        changed = {form: stripped for (spelled, stripped), form in forms.items() if spelled != stripped}
        self._changed = _Joined(list(changed.values()), list(changed))

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
        """The best entry of each matching IRI, by score, then shorter text, then IRI.

        A word scores 10 for the whole text, 4 for a whole word, 2 for the start of a word and 1
        inside a word; the word scores are added, then multiplied by 3 for labels and by 1.2 for
        texts in ``lang``. Of several entries of one IRI with the best score, the first one wins.
        """
        words = [w for w in _WORDS.findall(query) if w]
        if not words:
            return []
        raw: dict[int, float] = {}
        for i, (spelled, stripped) in enumerate(folds(w) for w in words):
            # The order of tries for each text: spelled in spelled, then stripped in stripped, then
            # spelled in stripped; the first that occurs gives the score. Where a text's two
            # foldings are the same, the third try (and the second, for a word without umlauts)
            # finds nothing new.
            scores = self._spelled.scores(spelled, {})
            if spelled != stripped:
                scores.update(self._stripped.scores(stripped, scores))
            scores.update(self._changed.scores(spelled, scores))
            raw = scores if i == 0 else {f: raw[f] + s for f, s in scores.items() if f in raw}
            if not raw:
                return []
        by_raw: dict[float, list[int]] = {}
        for form, score in raw.items():
            by_raw.setdefault(score, []).append(form)
        levels = sorted(by_raw, reverse=True)
        # IRI: its rank (-score, text length, IRI) and the number of its best entry; lowest first.
        best: dict[str, tuple[float, int, str, int]] = {}
        for level, score in enumerate(levels):
            for form in by_raw[score]:
                for number in self._form_entries[form]:
                    entry = self.entries[number]
                    total = score * (3 if entry.is_label else 1)
                    if entry.lang == lang:
                        total *= 1.2
                    current = best.get(entry.iri)
                    if current is None or (-total, number) < (current[0], current[3]):
                        best[entry.iri] = (-total, len(entry.text), entry.iri, number)
            if level + 1 < len(levels) and 0 < limit <= len(best):
                # Nothing left can score more than its raw score as a label in the page language.
                if -heapq.nsmallest(limit, best.values())[-1][0] > levels[level + 1] * 3 * 1.2:
                    break
        ranked = heapq.nsmallest(limit, best.values()) if limit > 0 else sorted(best.values())[:limit]
        return [Hit(e.iri, -rank[0], e.text, e.prop, e.lang, highlight(e.text, words))
                for rank, e in ((rank, self.entries[rank[3]]) for rank in ranked)]


class _Joined:
    """Texts joined by a separator, the offset where each text starts, and the form of each text."""

    def __init__(self, texts: list[str], forms: list[int] | None = None):
        self.text = "".join(text + _SEP for text in texts)
        self.starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
        self.forms = range(len(texts)) if forms is None else forms

    def scores(self, needle: str, known: dict[int, float]) -> dict[int, float]:
        """Form and score of the first occurrence of ``needle`` in each text, for forms not in ``known``.

        ``needle`` never holds the separator (it is not a word character), so an occurrence
        never spans two texts. An empty needle (a word that folds to nothing) occurs at the
        start of every text, as ``str.find`` has it.
        """
        text, starts, found = self.text, self.starts, {}
        at = text.find(needle)
        while 0 <= at < len(text):
            number = bisect_right(starts, at) - 1
            form = self.forms[number]
            if form not in known:
                first, last, end = starts[number], starts[number + 1] - 1, at + len(needle)
                if at == first and end == last:
                    found[form] = 10.0
                else:
                    starts_word = at == first or not text[at - 1].isalnum()
                    ends_word = end == last or not text[end].isalnum()
                    found[form] = 4.0 if starts_word and ends_word else 2.0 if starts_word else 1.0
            at = text.find(needle, starts[number + 1])
        return found


def highlight(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` where the words occur, under the same folding."""
    maps = []
    for which in (0, 1):
        folded, owner = [], []
        for i, c in enumerate(text):
            piece = _folds_char(c)[which]
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
