"""Where the shipped ontology, data, shapes and queries live.

In a source checkout (including an editable install) they are the top-level folders of the
repository. In a built wheel they are packaged under ``pflegegraph/_shipped``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent
_PACKAGED_ROOT = _PACKAGE_DIR / "_shipped"


def shipped_root() -> Path:
    """The folder holding ontology/, data/, shapes/ and queries/."""
    if (_CHECKOUT_ROOT / "ontology").is_dir() and (_CHECKOUT_ROOT / "pyproject.toml").is_file():
        return _CHECKOUT_ROOT
    return _PACKAGED_ROOT


def shipped(*parts: str) -> Path:
    return shipped_root().joinpath(*parts)
