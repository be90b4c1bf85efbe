"""`prodlint scan --fix` / `--diff` and the fixes rules carry.

Every fix (safe or unsafe) must leave code that parses and no longer triggers its rule;
`x.fixed.ts` beside a fixture `x.ts` holds the expected result of applying all of that
file's fixes. `--diff` writes nothing; `--fix` writes only the files that have safe fixes.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from linter import ts
from linter.cli import main
from linter.config import load_config
from linter.engine import scan
from linter.finding import Finding, Fix, Location, TextEdit
from linter.fix import BOM, apply_edits, apply_fixes, parses

FIXTURES = Path(__file__).parent / "fixtures"
FIXABLE = ("TS201", "TS204")


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("*.fixed.*"))
    return root


def _scan(root: Path):
    return scan([root], load_config(root), root=root, jobs=1)


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _apply_all(root: Path, findings, codes) -> set[str]:
    """Apply every fix of `codes` (safe and unsafe), as an editor's code action would."""
    by_path: dict[str, list] = {}
    for finding in findings:
        if finding.code in codes and finding.fix is not None:
            by_path.setdefault(finding.location.path, []).append(finding)
    for rel, items in by_path.items():
        raw = (root / rel).read_bytes()
        bom = raw.startswith(BOM)
        data = apply_edits(raw[len(BOM):] if bom else raw, items)
        (root / rel).write_bytes((BOM if bom else b"") + data)
    return set(by_path)


@pytest.mark.parametrize("code", FIXABLE)
def test_every_fix_parses_and_clears_its_finding(code: str, tmp_path: Path) -> None:
    root = _copy(code, tmp_path)
    before = _scan(root)
    fixed = [f for f in before.findings if f.code == code and f.fix is not None]
    assert fixed, f"{code}: the fixture has no fixable finding"
    touched = _apply_all(root, before.findings, {code})
    for rel in touched:
        data = (root / rel).read_bytes()
        assert parses(data.removeprefix(BOM), rel), f"{rel} does not parse after {code}'s fixes"
    after = _scan(root)
    fixed_keys = {(f.location.path, f.location.start_line) for f in fixed}
    still = [f for f in after.findings if f.code == code and f.location.path in touched and f.fix is not None]
    assert not still, f"{code} still fires after its fixes: {[(f.location.path, f.location.start_line) for f in still]}"
    remaining = {(f.location.path) for f in after.findings if f.code == code}
    assert len([f for f in after.findings if f.code == code]) == len([f for f in before.findings if f.code == code]) - len(fixed), (
        f"{code}: fixing {len(fixed_keys)} findings changed the others: {remaining}"
    )


def test_fixed_files_match_the_expected_result(tmp_path: Path) -> None:
    expected_files = sorted(FIXTURES.rglob("*.fixed.*"))
    assert expected_files, "no `x.fixed.ts` fixtures"
    for expected in expected_files:
        repo = FIXTURES / expected.relative_to(FIXTURES).parts[0]
        original = expected.with_name(expected.name.replace(".fixed.", "."))
        root = _copy(repo.name, tmp_path / expected.stem)
        rel = original.relative_to(repo).as_posix()
        result = _scan(root)
        _apply_all(root, [f for f in result.findings if f.location.path == rel], set(FIXABLE))
        assert (root / rel).read_text(encoding="utf-8") == expected.read_text(encoding="utf-8"), rel


def test_ts204_fix_is_marked_unsafe_and_not_applied_by_fix(tmp_path: Path) -> None:
    root = _copy("TS204", tmp_path)
    result = _scan(root)
    fixes = [f.fix for f in result.findings if f.code == "TS204" and f.fix is not None]
    assert fixes and all(fix.applicability == "unsafe" for fix in fixes)
    report = apply_fixes(result, write=False)
    assert all(all(f.code != "TS204" for f in item.fixes) for item in report.files)


def test_diff_writes_nothing(tmp_path: Path, capsys) -> None:
    root = _copy("TS201", tmp_path)
    before = _snapshot(root)
    code = main(["scan", str(root), "--diff", "--no-cache", "--jobs", "1", "--select", "TS201"])
    out = capsys.readouterr().out
    assert code == 0
    assert _snapshot(root) == before
    assert out.startswith("--- a/") and "+++ b/" in out and "AbortSignal.timeout(" in out


def test_fix_writes_only_fixable_files_and_they_parse(tmp_path: Path) -> None:
    root = _copy("TS201", tmp_path)
    before_bytes = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = _scan(root)
    safe = {f.location.path for f in result.active if f.fix is not None and f.fix.applicability == "safe"}
    assert safe
    main(["scan", str(root), "--fix", "--no-cache", "--jobs", "1", "--exit-zero", "--quiet"])
    changed = {p.relative_to(root).as_posix() for p, data in before_bytes.items() if p.read_bytes() != data}
    assert changed == safe
    for rel in changed:
        assert parses((root / rel).read_bytes().removeprefix(BOM), rel)
    after = _scan(root)
    assert not [f for f in after.findings if f.code == "TS201" and f.fix is not None and f.fix.applicability == "safe"]


def _finding(path: str, start: int, end: int, text: str, applicability: str = "safe") -> Finding:
    location = Location(path, 1, 1, 1, 1, 1, 1, start, end)
    return Finding("TS201", "m", location, fix=Fix("t", (TextEdit(start, end, text, location),), applicability))


class _Result:
    def __init__(self, root: Path, findings) -> None:
        self.root = root
        self.findings = findings


def test_overlapping_fixes_apply_once_and_broken_results_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text("const a = f(x);\n", encoding="utf-8")
    (tmp_path / "b.ts").write_text("const b = g(y);\n", encoding="utf-8")
    findings = [
        _finding("a.ts", 12, 13, "x, 1"),
        _finding("a.ts", 12, 13, "x, 2"),  # same span: left for the next run
        _finding("b.ts", 10, 14, "g(y, {"),  # would not parse
    ]
    report = apply_fixes(_Result(tmp_path, findings), write=True)
    assert (tmp_path / "a.ts").read_text(encoding="utf-8") == "const a = f(x, 1);\n"
    assert (tmp_path / "b.ts").read_text(encoding="utf-8") == "const b = g(y);\n"
    assert [path for path, _why in report.broken] == ["b.ts"]
    assert len(report.files[0].skipped) == 1
    assert "fix not applied" in report.summary


def test_unsafe_and_suppressed_fixes_are_not_applied(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text("const a = f(x);\n", encoding="utf-8")
    report = apply_fixes(_Result(tmp_path, [_finding("a.ts", 12, 13, "x, 1", "unsafe")]), write=True)
    assert not report.files
    assert (tmp_path / "a.ts").read_text(encoding="utf-8") == "const a = f(x);\n"
    assert ts.parse(b"const a = f(x);", "typescript").root_node.has_error is False


def test_one_finding_per_missing_next_file_even_on_one_line() -> None:
    """TS301 reports each missing file, although they share the layout's first line."""
    from linter.config import load_config
    from linter.engine import scan

    repo = Path(__file__).parent / "fixtures" / "TS301-monorepo"
    result = scan([repo], load_config(repo), root=repo, jobs=1)
    messages = sorted(f.message.split(":")[0] for f in result.findings if f.location.path == "apps/press/app/layout.tsx")
    assert messages == ["Next.js app without `app/error.tsx`", "Next.js app without `app/not-found.tsx`"]
