"""Fuzzing the CLI parsers: `pflegegraph query/validate/export` with random arguments, in process
(exit code 0/1/2, never an internal error or a traceback) and a few as a real subprocess, among
them a query nested too deeply and one the query engine crashes on (a plain message, exit 1)."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
from robustness_support import TRACEBACK, budget, count

from pflegegraph.cli import main

junk = st.one_of(
    st.sampled_from(
        [
            "--",
            "-",
            "-x",
            "--format=",
            "--param",
            "=",
            "a=",
            "=b",
            "--lang",
            "fr",
            "--jobs",
            "-1",
            "99999999999999999999",
            "--fail-on",
            "none",
            "\u202e",
            "--help-me",
            "--data=",
            "actors",
            "provenance",
            "x.rq",
            "\x1b[31m",
        ]
    ),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20),
)


def run_main(argv, tmp, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(tmp):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def check_cli(code, out, err, argv):
    where = f"{argv!r} -> {code}: {err[-400:]!r}"
    assert code in {0, 1, 2}, where  # 3 is the internal-error exit
    assert not TRACEBACK.search(err) and not TRACEBACK.search(out), where
    if code:
        assert err.strip(), where


@st.composite
def cli_args(draw, command, bad_data):
    args = [command]
    if command == "query":
        args.append(
            draw(st.one_of(st.sampled_from(["actors", "provenance", "-", "missing.rq", "nope"]), junk))
        )
    for _ in range(draw(st.integers(0, 4))):
        option = draw(
            st.sampled_from(
                {
                    "query": ["--param", "--format", "--lang", "--ontology"],
                    "validate": ["--format", "--fail-on", "--jobs", "--lang", "--output"],
                    "export": ["--out", "--site", "--public-url", "--lang"],
                }[command]
            )
        )
        value = draw(junk)
        if option in {"--output", "--out", "--site", "--ontology"}:  # stay inside the temporary folder
            value = "out-" + "".join(c for c in value if c.isalnum())[:20]
        args += [option, value]
    if draw(st.booleans()):
        args.append(draw(junk))
    if bad_data:  # validate and export only parse, or stop at the data: quick
        args += ["--data", draw(st.sampled_from(["missing-folder", "broken", "empty"]))]
    return args


def make_folders(tmp):
    (tmp / "broken").mkdir(exist_ok=True)
    (tmp / "broken" / "bad.ttl").write_text("@prefix : <urn:x> . :a :b ", encoding="utf-8")
    (tmp / "empty").mkdir(exist_ok=True)


@budget(40)
@given(argv=cli_args("query", False), stdin=st.text(max_size=80))
def test_query_parser(tmp_path_factory, argv, stdin):
    count("cli: pflegegraph query, random arguments")
    tmp = tmp_path_factory.mktemp("cli")
    make_folders(tmp)
    check_cli(*run_main(argv, tmp, stdin), argv)


@budget(40)
@given(argv=st.one_of(cli_args("validate", True), cli_args("export", True)))
def test_validate_and_export_parsers(tmp_path_factory, argv):
    count("cli: pflegegraph validate/export, random arguments")
    tmp = tmp_path_factory.mktemp("cli")
    make_folders(tmp)
    check_cli(*run_main(argv, tmp), argv)


def test_a_few_as_real_processes(run_cli, tmp_path):
    make_folders(tmp_path)
    cases = [
        ["query", "actors", "--format", "junk"],
        ["query", "-"],
        ["validate", "--jobs", "-5", "--data", str(tmp_path / "missing")],
        ["validate", "--data", str(tmp_path / "broken")],
        ["export"],
        ["export", "--out", str(tmp_path / "o"), "--data", str(tmp_path / "broken")],
        ["query", "actors", "--param", "\u202e=\x1b"],
    ]
    for argv in cases:
        count("cli: real subprocesses")
        done = run_cli(*argv, input="SELECT * WHERE { ?s ?p }", timeout=60)
        check_cli(done.returncode, done.stdout, done.stderr, argv)
    assert not (tmp_path / "o").exists()


def test_overlong_query_name_is_a_user_error(tmp_path):
    count("cli: pflegegraph query, random arguments")
    code, out, err = run_main(["query", "x" * 5000], tmp_path)
    check_cli(code, out, err, ["query", "x" * 5000])


STACK = 8 * 1024 * 1024


def run_with_a_small_stack(tmp_path, query: str):
    """``pflegegraph query FILE`` as a process with the usual 8 MiB stack (as on most systems)."""
    path = tmp_path / "q.rq"
    path.write_text(query, encoding="utf-8")
    _, hard = resource.getrlimit(resource.RLIMIT_STACK)
    limit = STACK if hard == resource.RLIM_INFINITY else min(STACK, hard)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PFLEGEGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "pflegegraph", "query", str(path), "--format", "csv"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=tmp_path,
        env={**env, "PYTHONIOENCODING": "utf-8", "PYTHONFAULTHANDLER": "1"},
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_STACK, (limit, hard)),
    )



def test_a_query_nested_too_deeply_is_refused_with_the_depth_and_the_limit(tmp_path):
    count("cli: real subprocesses")
    done = run_with_a_small_stack(tmp_path, "ASK " + "{ " * 3000 + "}" * 3000)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("pflegegraph: error: the query is nested 3000 levels deep (braces, parentheses, "
                           "brackets or repeated !); at most 100 levels are accepted\n")


def test_an_engine_crash_is_a_plain_message_and_exit_1(tmp_path):
    # a chain of 20000 additions passes the nesting limit, and overflows the engine's stack
    count("cli: real subprocesses")
    done = run_with_a_small_stack(tmp_path, "ASK { FILTER(1" + "+1" * 20000 + " > 0) }")
    assert done.returncode == 1 and done.stdout == "", done.stderr[-500:]
    assert done.stderr == ("pflegegraph: error: the query engine crashed on this query (SIGSEGV); write it "
                           "with less nesting or fewer terms and try again\n")
    fine = run_with_a_small_stack(tmp_path, "ASK { FILTER(1" + "+1" * 50 + " > 0) }")
    assert fine.returncode == 0 and fine.stdout == "_askResult\ntrue\n", fine.stderr
