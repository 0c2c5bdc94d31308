"""``pflegegraph validate``: check ontology and data against the SHACL shapes (the CI gate).

Exit codes: 0 nothing at or above --fail-on; 1 results at or above it; 2 unreadable input
(missing file, broken or empty file, faulty shapes).
"""

from __future__ import annotations

import sys

from pflegegraph.errors import EXIT_OK, EXIT_USER_ERROR, UserError
from pflegegraph.validation import FORMATS, render, validate
from pflegegraph.validation.engine import default_jobs

EXAMPLES = """\
examples:
  pflegegraph validate                                  shipped data and ontology, text in German
  pflegegraph validate --data ../wolfsburg --lang en    another municipality's data, in English
  pflegegraph validate --format junit > validation.xml  a report for the CI system
  pflegegraph validate --fail-on warning                fail on warnings too

exit codes: 0 passed, 1 results at or above --fail-on, 2 unreadable input or faulty shapes
"""


def register(sub, common):
    import argparse

    p = sub.add_parser(
        "validate", parents=[common], help="check ontology and data against the SHACL shapes",
        description="Validate the ontology and the data folders against the SHACL shapes and "
                    "report what is wrong, where, and in plain words (German by default).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text for people (default), json for machines, turtle for the standard "
                        "sh:ValidationReport, junit for CI systems")
    p.add_argument("--fail-on", choices=["violation", "warning", "info"],
                   help="lowest severity that fails the run (default: setting validate_fail_on, "
                        "violation)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="worker processes (default: setting validate_jobs; 0 = one per CPU core)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="write the report to FILE instead of standard output (the summary still "
                        "goes to standard error)")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    fail_on = args.fail_on or settings.validate_fail_on
    jobs = args.jobs if args.jobs is not None else settings.validate_jobs
    if jobs < 0:
        raise UserError("--jobs must be 0 (one per CPU core) or more")
    run_ = validate(settings.graph_namespace, settings.ontology, settings.data, settings.shapes,
                    fail_on=fail_on, lang=settings.lang, jobs=jobs or default_jobs())
    output = render(run_, args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(output)
        except OSError as exc:
            raise UserError(f"{args.output}: cannot write: {exc.strerror or exc}") from exc
        print(render(run_, "text").splitlines()[0], file=sys.stderr)
    else:
        sys.stdout.write(output)
    return EXIT_USER_ERROR if run_.report.failed else EXIT_OK
