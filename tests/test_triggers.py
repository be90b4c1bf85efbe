"""Rule triggers are an optimisation only: skipping a rule on a file that lacks its trigger
words must never change what the scan reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import engine
from linter.config import load_config
from linter.registry import load_rules, rule
from linter.source import SourceFile

ROOT = Path(__file__).parent.parent
REPOS = sorted(path for path in (ROOT / "tests" / "fixtures").iterdir() if path.is_dir()) + [ROOT / "examples" / "acme-shop"]


def _findings(repo: Path) -> list[tuple]:
    result = engine.scan([repo], load_config(repo), root=repo, jobs=1, report_unused_ignores=True)
    return [(f.code, f.location.path, f.location.start_byte, f.location.end_byte, f.message, f.suppressed) for f in result.findings]


@pytest.mark.parametrize("repo", REPOS, ids=lambda path: path.name)
def test_triggers_never_hide_a_finding(repo: Path, monkeypatch) -> None:
    with_triggers = _findings(repo)
    monkeypatch.setattr(engine, "USE_TRIGGERS", False)
    assert _findings(repo) == with_triggers


def test_words_are_whole_tokens_from_code_strings_and_comments() -> None:
    source = SourceFile("a.ts", "const url = process.env.API_URL ?? 'http://localhost:3000' // SIGTERM\n$el.é_x".encode())
    words = source.words
    assert {b"process", b"env", b"API_URL", b"localhost", b"3000", b"SIGTERM", b"$el", b"_x"} <= words
    assert b"process.env" not in words and b"local" not in words


def test_a_trigger_must_be_one_token() -> None:
    with pytest.raises(ValueError, match="not one token"):
        rule(code="TS999", slug="x", level="error", cwe=1, summary="x", target="ts", triggers=("process.env",))



def test_ts202_triggers_name_every_shutdown_module() -> None:
    """A file that imports a shutdown module records a handler; its name must hold a trigger."""
    from rules.ts import ts202_missing_graceful_shutdown as ts202

    triggers = load_rules()["TS202"].triggers
    for spec in ts202._SHUTDOWN_MODULES:
        assert not SourceFile("a.ts", f"import '{spec}'".encode()).words.isdisjoint(triggers), spec
