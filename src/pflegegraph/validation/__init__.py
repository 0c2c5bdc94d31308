"""Validation: SHACL shapes over the ontology and data, with pyshacl as the engine.

The core of ``pflegegraph validate``. Plain Python, no web framework::

    from pflegegraph.validation import validate, render
    run = validate(graph_namespace, ontology, [data], shapes, lang="en")
    print(render(run, "text"))
"""

from pflegegraph.validation.api import Validation, validate
from pflegegraph.validation.formats import FORMATS, render
from pflegegraph.validation.report import Report, Result

__all__ = ["FORMATS", "Report", "Result", "Validation", "render", "validate"]
