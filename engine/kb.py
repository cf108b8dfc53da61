"""Where the shipped knowledge base (facts/, rules/, runbooks/) lives.

In a source checkout the YAML sits at the top of the repository, where rule authors edit it; an
installed package carries the same files as `engine/_kb/<name>` (see setup.cfg package_dir).
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """Return the directory of the shipped `facts`, `rules` or `runbooks` knowledge base."""
    installed = _PACKAGE_DIR / "_kb" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the shipped {name}/ directory is missing from this installation "
                            f"(looked in {installed} and {checkout})")


def is_shipped(path: str | Path) -> bool:
    """True for a file of the shipped knowledge base.

    The loaders check site files against the JSON Schemas on every load; shipped files were
    checked when they were built (CI runs `fodoc rules lint --strict`, and the tests validate
    every shipped file), so a run does not pay ~150 ms for jsonschema to re-prove them.
    """
    try:
        folder = Path(path).resolve().parent
    except OSError:
        return False
    for name in ("facts", "rules", "runbooks"):
        try:
            if folder == shipped_dir(name).resolve():
                return True
        except FileNotFoundError:
            continue
    return False
