"""Faults of ``pflegegraph export --out DIR`` at the operating-system level, no mocks: a folder the
process may not write, a file size limit (RLIMIT_FSIZE: writes past it fail with EFBIG), a full
disk (a small tmpfs in a user namespace: ENOSPC) and a swap the system refuses (sticky folder).

Each time the user gets exit code 1 and one line naming the folder or file and the reason, and
the previous export in DIR is untouched: the same files, bytes, inodes and modification times,
and nothing left beside it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from servers import clean_env

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                               reason="needs root and setpriv (util-linux) to run the export as root "
                                      "without the capabilities that override permissions")
NOT_ROOT = pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions; the "
                                                        "variant running as root without them covers it")
# Root without CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER is held to the permission
# bits and the sticky bit like anyone else.
UNPRIVILEGED_ROOT = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner",
                     "--inh-caps=-dac_override,-dac_read_search,-fowner"]
MARKER = "written-by-the-previous-export.txt"


def export_cli(out: Path, *, preexec=None, unprivileged: bool = False, timeout: float = 120):
    """``pflegegraph export --out OUT`` as its own process (as root without its overrides)."""
    prefix = UNPRIVILEGED_ROOT if unprivileged else []
    return subprocess.run([*prefix, sys.executable, "-m", "pflegegraph", "export", "--out", str(out)],
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          env=clean_env(PYTHONDONTWRITEBYTECODE="1"),
                          preexec_fn=preexec)  # preexec only sets a resource limit


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under ``folder``: its SHA-256, inode and modification time."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_ino,
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """One complete export, copied as 'the previous export' into each test's folder."""
    out = tmp_path_factory.mktemp("published") / "dist"
    done = export_cli(out)
    assert done.returncode == 0, done.stderr
    (out / MARKER).write_text("a new export would not have this file\n", encoding="utf-8")
    return out


def previous_in(parent: Path, published: Path) -> tuple[Path, dict]:
    out = parent / "dist"
    shutil.copytree(published, out, copy_function=shutil.copy2)
    return out, snapshot(out)


def assert_failed_cleanly(done, out: Path, before: dict, *words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("pflegegraph: error: ") and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert snapshot(out) == before  # byte for byte, and not even rewritten
    assert sorted(p.name for p in out.parent.iterdir()) == ["dist"]  # no partial folder beside it


@pytest.mark.parametrize("unprivileged", [
    pytest.param(False, marks=NOT_ROOT, id="as-user"),
    pytest.param(True, marks=ROOT_ONLY, id="as-root-without-override"),
])
def test_unwritable_parent_folder(published, tmp_path, unprivileged):
    out, before = previous_in(tmp_path / "site", published)
    out.parent.chmod(0o555)
    try:
        done = export_cli(out, unprivileged=unprivileged)
    finally:
        out.parent.chmod(0o755)
    assert_failed_cleanly(done, out, before, f"cannot export to {out}: {out.parent} is not writable "
                                             "(permission denied); nothing was changed")


@ROOT_ONLY
def test_swap_refused_in_a_sticky_folder(published, tmp_path):
    """Like /tmp: anyone may write into the folder, but not move another user's folder out of
    it. Every file is written, and the very last step, the swap, is refused."""
    out, before = previous_in(tmp_path / "site", published)
    for path in (out.parent, out, *out.iterdir()):
        os.chown(path, 65534, 65534)
    out.parent.chmod(0o1777)
    done = export_cli(out, unprivileged=True)
    assert_failed_cleanly(done, out, before, f"export to {out} failed at {out}: permission denied; "
                                             f"the previous export in {out} is untouched")


def _file_size_limit(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("limit", [100_000, 300_000])
def test_file_size_limit(published, tmp_path, limit):
    """Writes past RLIMIT_FSIZE fail with EFBIG (Python ignores SIGXFSZ, so the write fails
    instead of the process being killed). 100 kB stops at the first dump past it, 300 kB later."""
    out, before = previous_in(tmp_path / "site", published)
    first_too_big = next(name for name in ("pflegegraph-braunschweig.ttl", "pflegegraph-braunschweig.nt",
                                           "pflegegraph-braunschweig.ttl.gz", "pflegegraph-braunschweig.nq")
                         if (published / name).stat().st_size > limit)
    done = export_cli(out, preexec=_file_size_limit(limit))
    assert_failed_cleanly(done, out, before, f"export to {out} failed while writing {first_too_big}: a "
                          "file grew past the largest file size this process may write (ulimit -f); "
                          f"the previous export in {out} is untouched")


def _user_namespaces() -> bool:
    unshare = shutil.which("unshare")
    if not unshare or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


# Runs inside a user and mount namespace: a small tmpfs over the folder, the previous export
# copied onto it, the export, and what the folder held before and after, as JSON.
FULL_DISK = """
import hashlib, json, shutil, subprocess, sys
from pathlib import Path
folder, published, size = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", str(folder)], check=True)
out = folder / "dist"
shutil.copytree(published, out, copy_function=shutil.copy2)
def snap():
    return {str(p.relative_to(out)): [hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_ino,
            p.stat().st_mtime_ns] for p in sorted(out.rglob("*")) if p.is_file()}
before = snap()
done = subprocess.run([sys.executable, "-m", "pflegegraph", "export", "--out", str(out)],
                      capture_output=True, text=True)
print(json.dumps({"before": before, "after": snap(), "returncode": done.returncode,
                  "stdout": done.stdout, "stderr": done.stderr,
                  "beside": sorted(p.name for p in folder.iterdir())}))
"""


@pytest.mark.skipif(not _user_namespaces(), reason="needs unprivileged user namespaces (unshare) "
                                                   "to mount a small tmpfs")
def test_full_disk(published, tmp_path):
    """A tmpfs with room for the previous export and about half of a new one: ENOSPC."""
    used = sum(math.ceil(p.stat().st_size / 4096) * 4096 for p in published.iterdir())
    folder = tmp_path / "small-disk"
    folder.mkdir()
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-c", FULL_DISK,
                           str(folder), str(published), f"{(used + used // 2) // 1024}k"],
                          capture_output=True, text=True, timeout=120, env=clean_env())
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    out = folder / "dist"
    assert seen["returncode"] == 1, seen["stderr"]
    assert seen["stdout"] == ""
    assert seen["stderr"].startswith(f"pflegegraph: error: export to {out} failed while writing ")
    assert seen["stderr"].endswith(f": the disk is full; the previous export in {out} is untouched\n")
    assert "Traceback" not in seen["stderr"]
    assert seen["after"] == seen["before"]
    assert MARKER in seen["after"]
    assert seen["beside"] == ["dist"]
