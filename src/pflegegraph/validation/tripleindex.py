"""A lean in-memory rdflib store for the graph that pyshacl validates.

pyshacl looks triples up millions of times on a large graph. rdflib's default ``Memory`` store
keeps track of the contexts (named graphs) of every triple and pays for that on every addition and
lookup, although the validated graph is a single graph. This store holds one graph in three plain
indexes (subject → predicate → objects, predicate → object → subjects, object → subject →
predicates) and answers the same lookups with the same triples, with less work and less memory.

It is context and graph aware only in name (pyshacl wraps the data graph in an rdflib Dataset,
which insists on both): every triple belongs to the one graph the store was made for.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib.store import Store

_NO_CONTEXTS: tuple = ()  # rdflib's Graph ignores the contexts a store reports with each triple


class TripleIndex(Store):
    context_aware = True
    formula_aware = False
    transaction_aware = False
    graph_aware = True

    def __init__(self, configuration=None, identifier=None):
        super().__init__(configuration, identifier)
        self._spo: dict = {}
        self._pos: dict = {}
        self._osp: dict = {}
        self._size = 0
        self._namespace: dict = {}
        self._prefix: dict = {}

    def add(self, triple, context=None, quoted=False) -> None:
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, set())
        if o in objects:
            return
        objects.add(o)
        self._pos.setdefault(p, {}).setdefault(o, set()).add(s)
        self._osp.setdefault(o, {}).setdefault(s, set()).add(p)
        self._size += 1

    def remove(self, triple, context=None) -> None:
        for s, p, o in list(self._match(*triple)):
            self._spo[s][p].discard(o)
            self._pos[p][o].discard(s)
            self._osp[o][s].discard(p)
            self._size -= 1
            _prune(self._spo, s, p)
            _prune(self._pos, p, o)
            _prune(self._osp, o, s)

    def triples(self, triple_pattern, context=None) -> Iterator:
        for triple in self._match(*triple_pattern):
            yield triple, _NO_CONTEXTS

    def _match(self, s, p, o) -> Iterator[tuple]:
        if s is not None:
            by_predicate = self._spo.get(s)
            if not by_predicate:
                return
            if p is not None:
                objects = by_predicate.get(p, ())
                if o is None:
                    for obj in objects:
                        yield s, p, obj
                elif o in objects:
                    yield s, p, o
                return
            for pred, objects in by_predicate.items():
                if o is None:
                    for obj in objects:
                        yield s, pred, obj
                elif o in objects:
                    yield s, pred, o
        elif p is not None:
            by_object = self._pos.get(p)
            if not by_object:
                return
            if o is not None:
                for subj in by_object.get(o, ()):
                    yield subj, p, o
                return
            for obj, subjects in by_object.items():
                for subj in subjects:
                    yield subj, p, obj
        elif o is not None:
            for subj, predicates in self._osp.get(o, {}).items():
                for pred in predicates:
                    yield subj, pred, o
        else:
            for subj, by_predicate in self._spo.items():
                for pred, objects in by_predicate.items():
                    for obj in objects:
                        yield subj, pred, obj

    def __len__(self, context=None) -> int:
        return self._size

    def contexts(self, triple=None) -> Iterator:
        return iter(())

    def add_graph(self, graph) -> None:
        pass  # one graph only

    def remove_graph(self, graph) -> None:
        pass

    def bind(self, prefix, namespace, override=True) -> None:
        if not override and (prefix in self._namespace or namespace in self._prefix):
            return
        old_namespace = self._namespace.pop(prefix, None)
        if old_namespace is not None:
            self._prefix.pop(old_namespace, None)
        old_prefix = self._prefix.pop(namespace, None)
        if old_prefix is not None:
            self._namespace.pop(old_prefix, None)
        self._namespace[prefix] = namespace
        self._prefix[namespace] = prefix

    def namespace(self, prefix):
        return self._namespace.get(prefix)

    def prefix(self, namespace):
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator:
        yield from list(self._namespace.items())


def _prune(index: dict, first, second) -> None:
    inner = index[first]
    if not inner[second]:
        del inner[second]
    if not inner:
        del index[first]
