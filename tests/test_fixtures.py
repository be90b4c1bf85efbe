"""One parametrized case per fixture file: every `expect` met, nothing else reported.

Each folder under tests/fixtures/ is a mini-repository scanned once with every rule, so
cross-rule false positives surface too. Files named `*.broken.*` may produce notices; no
other file may.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from annotations import parse_annotations
from linter.config import load_config
from linter.discover import kind_of
from linter.engine import scan
from linter.report.text import render_finding

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_files() -> list[Path]:
    files = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and kind_of(path.name) and ".fixed." not in path.name:
            files.append(path)
    return files


def repo_of(path: Path) -> Path:
    return FIXTURES / path.relative_to(FIXTURES).parts[0]


@lru_cache(maxsize=None)
def scan_repo(repo: Path):
    config = load_config(repo)
    return scan([repo], config, root=repo, jobs=1, report_unused_ignores=True)


def _describe(findings, path: Path) -> str:
    return "\n".join(render_finding(finding, None, False) for finding in findings) or "(none)"


def fixture_problems(repo: Path, path: Path, result) -> list[str]:
    """Everything that disagrees between a fixture file's annotations and the scan's findings."""
    rel = path.relative_to(repo).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    expected = parse_annotations(text)
    findings = [f for f in result.findings if f.location.path == rel and not f.suppressed]
    lines = text.splitlines()
    problems = []

    for line, codes in sorted(expected.expect.items()):
        for code in sorted(codes):
            if not any(f.code == code and f.location.covers_line(line) for f in findings):
                problems.append(f"{rel}:{line}: expected {code}, got none\n    {lines[line - 1].strip()}")
    for finding in findings:
        claimed = any(finding.code in expected.expect.get(line, ()) for line in range(finding.location.start_line, finding.location.end_line + 1))
        if not claimed:
            problems.append(f"{rel}: unexpected finding\n{_describe([finding], path)}")
    for line, codes in sorted(expected.known_miss.items()):
        for code in codes:
            if any(f.code == code and f.location.covers_line(line) for f in findings):
                problems.append(f"{rel}:{line}: known-miss {code} is now found: promote it to `expect`")
    seen = set()
    for finding in findings:
        key = (finding.code, finding.location.start_byte, finding.location.end_byte, finding.message)
        if key in seen:
            problems.append(f"{rel}: duplicate finding {finding.code} at line {finding.location.start_line}")
        seen.add(key)
    if ".broken." not in path.name:
        problems.extend(f"{rel}: unexpected notice: {n.message}" for n in result.notices if n.path == rel)
    return problems


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture(path: Path) -> None:
    repo = repo_of(path)
    problems = fixture_problems(repo, path, scan_repo(repo))
    assert not problems, "\n\n".join(problems)


def test_every_fixture_annotation_names_a_known_rule() -> None:
    from linter.registry import load_rules

    known = set(load_rules())
    unknown = {}
    for path in fixture_files():
        for code in parse_annotations(path.read_text(encoding="utf-8", errors="replace")).codes():
            if code not in known:
                unknown.setdefault(code, path.relative_to(FIXTURES).as_posix())
    assert not unknown, f"annotations name unknown rules: {unknown}"
