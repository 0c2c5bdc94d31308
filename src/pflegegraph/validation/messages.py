"""Words shown to people, in German and English. German is the default.

Messages of individual constraints live in the shapes (sh:message @de/@en). This module holds
the words around them: headings, severities, error messages, and fallbacks for shapes that
bring no message of their own.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "violation": {"de": "Verstoß", "en": "violation"},
    "warning": {"de": "Warnung", "en": "warning"},
    "info": {"de": "Hinweis", "en": "info"},
    "violations": {"de": "Verstöße", "en": "violations"},
    "warnings": {"de": "Warnungen", "en": "warnings"},
    "infos": {"de": "Hinweise", "en": "infos"},
    "focus": {"de": "Ressource", "en": "resource"},
    "path": {"de": "Eigenschaft", "en": "property"},
    "value": {"de": "Wert", "en": "value"},
    "shape": {"de": "Regel", "en": "shape"},
    "no_label": {"de": "(ohne Bezeichnung)", "en": "(no label)"},
    "blank_node": {"de": "[namenloser Knoten]", "en": "[blank node]"},
    "ok": {
        "de": "In Ordnung: {triples} Tripel aus {files} Dateien erfüllen alle {shapes} Regeln.",
        "en": "OK: {triples} triples from {files} files satisfy all {shapes} shapes.",
    },
    "summary": {
        "de": "{violations} Verstöße, {warnings} Warnungen, {infos} Hinweise in {triples} Tripeln "
              "aus {files} Dateien.",
        "en": "{violations} violations, {warnings} warnings, {infos} infos in {triples} triples "
              "from {files} files.",
    },
    "verdict_fail": {
        "de": "Nicht bestanden: es gibt Ergebnisse ab der Schwelle --fail-on {fail_on}.",
        "en": "Failed: there are results at or above --fail-on {fail_on}.",
    },
    "verdict_pass": {
        "de": "Bestanden: nichts ab der Schwelle --fail-on {fail_on}.",
        "en": "Passed: nothing at or above --fail-on {fail_on}.",
    },
    "results_in_shape": {"de": "{count} Ergebnis(se)", "en": "{count} result(s)"},
    "empty_file": {
        "de": "{path}: die Datei ist leer (keine einzige RDF-Aussage). Eine leere Datendatei ist "
              "meist ein Versehen: füllen oder löschen Sie sie.",
        "en": "{path}: the file is empty (not a single RDF statement). An empty data file is "
              "usually a mistake: fill it or delete it.",
    },
    "empty_shapes_file": {
        "de": "{path}: die Shapes-Datei ist leer (keine einzige RDF-Aussage).",
        "en": "{path}: the shapes file is empty (not a single RDF statement).",
    },
    "wrong_format": {
        "de": "Die Datei sieht nach {found} aus, nicht nach {expected}, wie die Endung {suffix} sagt.",
        "en": "The file looks like {found}, not {expected} as its ending {suffix} says.",
    },
    "shapes_syntax": {"de": "Fehler in den Shapes:", "en": "Error in the shapes:"},
    "no_shapes_folder": {
        "de": "{folder}: Shapes-Ordner nicht gefunden",
        "en": "{folder}: shapes folder not found",
    },
    "no_shapes": {
        "de": "{folder}: keine Shapes-Dateien ({suffixes}) gefunden",
        "en": "{folder}: no shapes files ({suffixes}) found",
    },
    "shapes_unusable": {
        "de": "Die Shapes sind fehlerhaft und können nicht angewandt werden ({where}): {detail}",
        "en": "The shapes are faulty and cannot be applied ({where}): {detail}",
    },
}

# Fallback messages per constraint component, for shapes without sh:message in that language.
COMPONENT_MESSAGES: dict[str, dict[str, str]] = {
    "MinCount": {"de": "Zu wenige Werte.", "en": "Too few values."},
    "MaxCount": {"de": "Zu viele Werte.", "en": "Too many values."},
    "Datatype": {"de": "Falscher Datentyp.", "en": "Wrong datatype."},
    "Class": {
        "de": "Der Wert hat nicht die verlangte Klasse.",
        "en": "The value is not of the required class."},
    "NodeKind": {"de": "Falsche Art von Knoten (IRI, Literal, namenloser Knoten).",
                 "en": "Wrong kind of node (IRI, literal, blank node)."},
    "In": {
        "de": "Der Wert ist nicht unter den erlaubten.",
        "en": "The value is not one of the allowed ones."},
    "Pattern": {
        "de": "Der Wert hat nicht die verlangte Form.",
        "en": "The value does not have the required form."},
    "SPARQL": {"de": "Eine Regel der Form SPARQL ist verletzt.", "en": "A SPARQL rule is broken."},
}


def text(key: str, lang: str, **values) -> str:
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**values)


def component_message(component, lang: str) -> str | None:
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    entry = COMPONENT_MESSAGES.get(name)
    return entry.get(lang) if entry else None
