"""Rule records and their discovery.

A rule is one file under `rules/<target>/<code>_<slug>.py`: its module docstring is the
user documentation and one `@rule(...)` decorator holds the metadata. Importing the file
registers it; there is no list to edit. Rule files are imported by path under private
module names so no generic `rules` package ever lands in `sys.modules` or site-packages.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from linter.finding import LEVELS
from linter.resources import rules_dir

TARGETS = ("ts", "compose", "workflow", "action", "project", "engine")  # engine: findings the engine itself makes
DOC_SECTIONS = ("What it finds", "Why it matters in production", "Example", "Use instead", "How to suppress")


@dataclass(frozen=True)
class Option:
    type: type
    default: object
    help: str = ""


@dataclass
class Rule:
    code: str
    slug: str
    level: str
    cwe: tuple[int, ...]
    summary: str
    target: str
    check: Callable
    collect: Callable | None = None  # per-file facts for project rules (phase 1)
    precision: str = "high"
    security_severity: float = 5.0
    tags: tuple[str, ...] = ()
    options: dict[str, Option] = field(default_factory=dict)
    fixable: bool = False
    # Words (identifier-like tokens) at least one of which a file must contain for the rule to
    # have anything to say about it; empty = every file. Checked against `SourceFile.words`
    # before the rule runs, so most files never reach most rules' Python code.
    triggers: frozenset[bytes] = frozenset()
    # For a project rule: which files' facts are collected during the scan, as a test of the
    # file's context; the facts of every other file are collected only if the project phase
    # asks for them (`ProjectIndex.facts`). None = every file. For facts that matter only once
    # some file holds a rare construct (a socket server, a secret read with a fallback).
    eager: Callable[[object], bool] | None = None
    doc: str = ""
    source_file: str = ""

    @property
    def doc_url(self) -> str:
        from linter import DOCS_URL

        return f"{DOCS_URL}#{self.code.lower()}-{self.slug}"

    def doc_sections(self) -> dict[str, str]:
        sections: dict[str, str] = {}
        current = None
        for line in self.doc.splitlines():
            heading = re.match(r"^##\s+(.+?)\s*$", line)
            if heading:
                current = heading.group(1)
                sections[current] = ""
            elif current:
                sections[current] += line + "\n"
        return {name: text.strip() for name, text in sections.items()}


_pending: list[Rule] = []
_TOKEN = re.compile(r"[A-Za-z0-9_$]+")


def rule(
    *,
    code: str,
    slug: str,
    level: str,
    cwe: tuple[int, ...] | int,
    summary: str,
    target: str,
    collect: Callable | None = None,
    precision: str = "high",
    security_severity: float = 5.0,
    tags: tuple[str, ...] = (),
    options: dict[str, Option] | None = None,
    fixable: bool = False,
    triggers: tuple[str, ...] = (),
    eager: tuple[str, ...] | Callable[[object], bool] = (),
):
    """Declare the decorated generator as a rule's check. `triggers` and `eager`: see `Rule`;
    `eager` may be given as words, one of which the file must contain."""
    if level not in LEVELS:
        raise ValueError(f"{code}: level {level!r} is not one of {LEVELS}")
    if target not in TARGETS:
        raise ValueError(f"{code}: target {target!r} is not one of {TARGETS}")
    eager_words = () if callable(eager) else tuple(eager)
    for word in (*triggers, *eager_words):
        if not _TOKEN.fullmatch(word):
            raise ValueError(f"{code}: trigger {word!r} is not one token (letters, digits, `_`, `$`)")
    if eager and (target != "project" or collect is None):
        raise ValueError(f"{code}: `eager` is for project rules that collect facts")
    if eager_words:
        eager = _names_any_of(frozenset(word.encode() for word in eager_words))

    def register(check: Callable) -> Callable:
        _pending.append(
            Rule(
                code=code,
                slug=slug,
                level=level,
                cwe=(cwe,) if isinstance(cwe, int) else tuple(cwe),
                summary=summary,
                target=target,
                check=check,
                collect=collect,
                precision=precision,
                security_severity=security_severity,
                tags=tuple(tags),
                options=dict(options or {}),
                fixable=fixable,
                triggers=frozenset(word.encode() for word in triggers),
                eager=eager or None,
            )
        )
        return check

    return register


def _names_any_of(words: frozenset[bytes]) -> Callable[[object], bool]:
    def names_one(ctx) -> bool:
        return not ctx.source.words.isdisjoint(words)

    return names_one


_loaded: dict[str, Rule] | None = None
load_errors: list[str] = []  # rule files that failed to import: the CLI and the tests refuse to go on


def load_rules() -> dict[str, Rule]:
    """Every rule of the pack, by code, in code order. Loaded once per process."""
    global _loaded
    if _loaded is not None:
        return _loaded
    rules: dict[str, Rule] = {}
    for path in sorted(rules_dir().rglob("[!_]*.py")):
        name = "linter._rulepack." + "_".join(path.relative_to(rules_dir()).with_suffix("").parts)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        _pending.clear()
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            load_errors.append(f"{path}: {type(error).__name__}: {error}")
            _pending.clear()
            continue
        for found in _pending:
            if found.code in rules:
                raise RuntimeError(f"rule code {found.code} defined twice: {rules[found.code].source_file} and {path}")
            found.doc = (module.__doc__ or "").strip()
            found.source_file = str(path)
            rules[found.code] = found
        _pending.clear()
    _loaded = dict(sorted(rules.items()))
    return _loaded
