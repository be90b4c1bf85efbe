"""Where the rule pack and the tree-sitter queries are: inside the installed package
(`linter/_rules`, `linter/_grammars`, laid there by the wheel build) or, in a checkout,
the top-level `rules/` and `grammars/` folders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    for candidate in (_PACKAGE / installed, _PACKAGE.parent / checkout):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"prodlint is installed without its {checkout}/ folder (looked in {_PACKAGE})")


@lru_cache(maxsize=None)
def rules_dir() -> Path:
    return _find("_rules", "rules")


@lru_cache(maxsize=None)
def grammars_dir() -> Path:
    return _find("_grammars", "grammars")
