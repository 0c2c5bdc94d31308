"""The search index gives exactly the hits of a plain linear scan: same IRIs, scores, texts,
properties, languages, spans and order. The scan below is the original algorithm, kept here as the
reference."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pflegegraph.search import Entry, SearchIndex, folds, highlight
from pflegegraph.store import GraphStore
from shipped import DATA, ONTOLOGY

SKOS = "http://www.w3.org/2004/02/skos/core#"
LABEL, DEFINITION = SKOS + "prefLabel", SKOS + "definition"
WORDS = re.compile(r"\w+")


def reference_search(entries: list[Entry], query: str, lang: str, limit: int) -> list[tuple]:
    """Score every entry, keep the best (first on ties) per IRI, sort, cut."""
    words = WORDS.findall(query)
    if not words:
        return []
    best: dict[str, tuple[float, Entry]] = {}
    for entry in entries:
        score = 0.0
        for spelled, stripped in (folds(w) for w in words):
            hit = _reference_word_score(entry, spelled, stripped)
            if hit == 0:
                break
            score += hit
        else:
            score *= 3 if entry.is_label else 1
            if entry.lang == lang:
                score *= 1.2
            if entry.iri not in best or score > best[entry.iri][0]:
                best[entry.iri] = (score, entry)
    ranked = sorted(best.values(), key=lambda se: (-se[0], len(se[1].text), se[1].iri))[:limit]
    return [(e.iri, score, e.text, e.prop, e.lang, highlight(e.text, words)) for score, e in ranked]


def _reference_word_score(entry: Entry, spelled: str, stripped: str) -> float:
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


def found(index: SearchIndex, query: str, lang: str = "de", limit: int = 50) -> list[tuple]:
    return [(h.iri, h.score, h.text, h.prop, h.lang, h.spans) for h in index.search(query, lang, limit)]


def entry(iri: str, text: str, lang: str = "de", prop: str = LABEL) -> Entry:
    return Entry("urn:x:" + iri, prop, lang, text, *folds(text), prop != DEFINITION)


@pytest.fixture(scope="module")
def shipped_index() -> SearchIndex:
    store = GraphStore.from_folders("https://w3id.org/pflegegraph/graph/", ONTOLOGY, [DATA])
    return SearchIndex.build(store)


QUERIES = ["Pflege", "pflege", "Prüfung", "Pruefung", "Prufung", "Strasse", "Straße", "wohn pflege",
           "Beratung Angehörige", "xyzzy", "", "a", "e", "n", "ä", "ß", "1", "Wohn", "Beratung",
           "Demenz", "Pflege!", "(Wohn-)Pflege?", "  Älter, mit: Demenz. ", "pflege pflege", "Quartier",
           "ﾞ", "ﾞa", "Braunschweig", "Maßnahme", "MASSNAHME", "e.V.", "§ 71", "--", "ÄÖÜ"]


@pytest.mark.parametrize("query", QUERIES)
def test_shipped_graph_hits_equal_the_linear_scan(shipped_index, query):
    for lang in ("de", "en"):
        for limit in (1, 10, 100):
            assert found(shipped_index, query, lang, limit) == \
                reference_search(shipped_index.entries, query, lang, limit), (lang, limit)


def test_shipped_graph_has_hits_to_compare(shipped_index):
    assert len(found(shipped_index, "Pflege", "de", 100)) > 10
    assert found(shipped_index, "xyzzy") == []


SMALL = [
    entry("b", "Pflege"),                       # the whole text: 10
    entry("a", "Pflege"),                       # the same, IRI sorts first
    entry("c", "Wohn-Pflege-Gemeinschaften"),   # a whole word: 4
    entry("d", "Pflegeheim"),                   # the start of a word: 2
    entry("e", "Altenpflege"),                  # inside a word: 1
    entry("f", "Pflegedienst", prop=DEFINITION),
    entry("f", "Ambulante Pflege"),             # the same IRI: the label wins
    entry("g", "Prufung"),                      # ties with the next entry: the first one wins
    entry("g", "Prüfung"),
    entry("h", "Prüfung", lang="en"),
    entry("i", "Straße der Pflege"),
    entry("j", "wohn\x00"),                     # the separator inside a text
    entry("k", "pflege\x00wohn"),
    entry("l", "Pfle\x00ge"),
    entry("m", "Pflege", prop=DEFINITION),      # raw 10 in a definition loses to raw 4 as a label
    entry("n", "Pflege und Beratung", lang=""),
    entry("o", ""),
    entry("p", "Hauspfl"),                      # "pfl" and "ege" meet across the separator
    entry("q", "ege"),
    entry("r", "Bäer"),                         # "Bär" is found only as "baer" in "baer"
]


def test_scores_of_whole_text_words_starts_and_insides():
    by_iri = {hit[0][6:]: hit[1] for hit in found(SearchIndex(SMALL), "pflege", "de", 100)}
    assert by_iri["a"] == by_iri["b"] == 10.0 * 3 * 1.2
    assert by_iri["c"] == 4.0 * 3 * 1.2
    assert by_iri["d"] == 2.0 * 3 * 1.2
    assert by_iri["e"] == 1.0 * 3 * 1.2
    assert by_iri["m"] == 10.0 * 1.2 < by_iri["c"]
    assert by_iri["n"] == 4.0 * 3


def test_ties_go_to_the_shorter_text_then_the_iri():
    hits = found(SearchIndex(SMALL), "pflege", "de", 5)
    assert [h[0][6:] for h in hits] == ["a", "b", "k", "f", "i"]
    assert hits[0][1] == hits[1][1] and hits[2][1] == hits[3][1] == hits[4][1]


def test_best_entry_of_an_iri_wins_and_the_first_on_ties():
    index = SearchIndex(SMALL)
    f = [h for h in found(index, "pflege", "de", 100) if h[0] == "urn:x:f"]
    assert [h[2] for h in f] == ["Ambulante Pflege"]
    g = [h for h in found(index, "Prüfung", "de", 100) if h[0] == "urn:x:g"]
    assert [(h[1], h[2]) for h in g] == [(10.0 * 3 * 1.2, "Prufung")]


def test_separator_in_a_text_makes_no_match_across_entries():
    index = SearchIndex(SMALL)
    assert {h[0] for h in found(index, "wohn")} == {"urn:x:c", "urn:x:j", "urn:x:k"}
    assert {h[0] for h in found(index, "pfle ge")} >= {"urn:x:l"}
    assert not {"urn:x:l", "urn:x:p", "urn:x:q"} & {h[0] for h in found(index, "pflege", limit=100)}
    assert [h[0] for h in found(index, "wohn\x00pflege")] == ["urn:x:k", "urn:x:c"]


def test_lower_raw_scores_are_ranked_until_they_cannot_win():
    index = SearchIndex([entry("a", "Pflege", prop=DEFINITION), entry("b", "Egeln Pflegen")])
    assert found(index, "pflege ege", "de", 1)[0][:2] == ("urn:x:b", 4.0 * 3 * 1.2)  # 14.4 > 11 * 1.2
    index = SearchIndex([entry("a", "Wohn Pflegeheim", lang="en"), entry("b", "Wohn Apflege")])
    assert found(index, "wohn pflege", "de", 1)[0][:2] == ("urn:x:b", 18.0)  # 6 * 3 == 5 * 3 * 1.2
    assert found(index, "wohn pflege", "de", 2)[1][:2] == ("urn:x:a", 18.0)


def test_third_try_spelled_word_in_stripped_text():
    assert found(SearchIndex(SMALL), "Bär")[0][:3] == ("urn:x:r", 10.0 * 3 * 1.2, "Bäer")


@pytest.mark.parametrize("query", ["Bär", "pflege", "Prüfung", "prufung", "strasse", "wohn", "wohn pflege",
                                   "pfle ge", "e", "ﾞ", "x", "", "Pflege Beratung", "ge"])
@pytest.mark.parametrize("limit", [-1, 0, 1, 2, 3, 5, 100])
def test_small_index_hits_equal_the_linear_scan(query, limit):
    for lang in ("de", "en", ""):
        assert found(SearchIndex(SMALL), query, lang, limit) == reference_search(SMALL, query, lang, limit)


TEXT = st.text(st.sampled_from("aäbeggeflnpu ß-.\x00ﾞÄ"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.tuples(st.integers(0, 5), TEXT, st.sampled_from(["de", "en", ""]), st.booleans()),
                      max_size=12),
       query=TEXT, lang=st.sampled_from(["de", "en"]), limit=st.integers(-2, 6))
def test_random_indexes_equal_the_linear_scan(texts, query, lang, limit):
    entries = [entry(str(n), text, text_lang, LABEL if is_label else DEFINITION)
               for n, text, text_lang, is_label in texts]
    assert found(SearchIndex(entries), query, lang, limit) == reference_search(entries, query, lang, limit)
