"""The fixture harness itself must fail when annotations and findings disagree."""

from __future__ import annotations

from pathlib import Path

from linter.config import Config
from linter.engine import scan
from test_fixtures import fixture_problems

FETCH = "  return fetch(u);\n"


def _problems(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "src" / "client.ts"
    path.parent.mkdir(parents=True)
    path.write_text("export async function load(u: string) {\n" + body + "}\n", encoding="utf-8")
    result = scan([tmp_path], Config(root=tmp_path), root=tmp_path, jobs=1)
    return fixture_problems(tmp_path, path, result)


def test_met_expectation_passes(tmp_path: Path) -> None:
    assert _problems(tmp_path, "  // expect: TS201\n" + FETCH) == []


def test_unannotated_finding_fails(tmp_path: Path) -> None:
    problems = _problems(tmp_path, FETCH)
    assert len(problems) == 1 and "unexpected finding" in problems[0]


def test_finding_under_ok_fails(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "  // ok: TS201 claimed fine\n" + FETCH)
    assert len(problems) == 1 and "unexpected finding" in problems[0]


def test_missing_expected_finding_fails(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "  // expect: TS201\n  return u;\n")
    assert len(problems) == 1 and "expected TS201, got none" in problems[0]


def test_known_miss_that_is_found_fails(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "  // known-miss: TS201 pending\n" + FETCH)
    assert any("promote it" in problem for problem in problems)
