"""`prodlint scan --fix` / `--diff`: apply the safe fixes findings carry.

Only fixes marked `applicability="safe"` on active (unsuppressed) findings are applied. Per
file, fixes are taken in source order and a fix whose edits overlap an already accepted one
is left for the next run; accepted edits are applied back to front so byte offsets stay
valid. Offsets count from after a UTF-8 BOM, as the scan's do; the BOM and the file's bytes
elsewhere are kept. The result must still parse with tree-sitter (when the original parsed):
otherwise the file is skipped and reported. With `write=False` nothing is written — the
caller shows the unified diff instead.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from linter import ts
from linter.finding import Finding, Fix

BOM = b"\xef\xbb\xbf"


@dataclass
class FileFix:
    path: str
    before: bytes
    after: bytes
    fixes: list[Finding]
    skipped: list[Finding] = field(default_factory=list)  # overlapping another accepted fix


@dataclass
class FixReport:
    files: list[FileFix] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (path, why) files left untouched
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    written: bool = False

    @property
    def applied(self) -> int:
        return sum(len(item.fixes) for item in self.files)

    @property
    def diff(self) -> str:
        chunks = []
        for item in self.files:
            before = item.before.decode("utf-8", errors="replace").splitlines(keepends=True)
            after = item.after.decode("utf-8", errors="replace").splitlines(keepends=True)
            for line in difflib.unified_diff(before, after, f"a/{item.path}", f"b/{item.path}"):
                chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        chunks.extend(f"# prodlint: {path}: fix not applied: {why}\n" for path, why in self.broken + self.unreadable)
        return "".join(chunks)

    @property
    def summary(self) -> str:
        verb = "fixed" if self.written else "fixable"
        lines = [f"prodlint: {verb} {item.path}: {len(item.fixes)} finding(s)\n" for item in self.files]
        lines += [f"prodlint: {path}: fix not applied: {why}\n" for path, why in self.broken + self.unreadable]
        lines.append(f"prodlint: {self.applied} fix(es) {'applied' if self.written else 'available'} in {len(self.files)} file(s)\n")
        return "".join(lines)


def safe_fix(finding: Finding) -> Fix | None:
    fix = finding.fix
    if fix is None or finding.suppressed or fix.applicability != "safe" or not fix.edits:
        return None
    return fix


def _choose(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Fixes of one file whose edits overlap no earlier accepted fix's edits."""
    taken: list[tuple[int, int]] = []
    accepted, skipped = [], []
    for finding in sorted(findings, key=lambda f: min(edit.start_byte for edit in f.fix.edits)):
        spans = [(edit.start_byte, edit.end_byte) for edit in finding.fix.edits]
        clash = any(
            a < d and c < b or (a == b == c == d) or (a == b and c < a < d) or (c == d and a < c < b)
            for a, b in spans for c, d in taken
        )
        if clash:
            skipped.append(finding)
        else:
            accepted.append(finding)
            taken.extend(spans)
    return accepted, skipped


def apply_edits(data: bytes, findings: list[Finding]) -> bytes:
    edits = sorted((edit for finding in findings for edit in finding.fix.edits), key=lambda e: (e.start_byte, e.end_byte), reverse=True)
    for edit in edits:
        data = data[: edit.start_byte] + edit.replacement.encode("utf-8") + data[edit.end_byte :]
    return data


def parses(data: bytes, path: str) -> bool:
    return not ts.parse(data, ts.language_for(path)).root_node.has_error


def apply_fixes(result, write: bool = False) -> FixReport:
    """Compute (and with `write`, write) every safe fix of a `ScanResult`."""
    report = FixReport(written=write)
    root = Path(result.root)
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if safe_fix(finding) is not None:
            by_path.setdefault(finding.location.path, []).append(finding)
    for rel in sorted(by_path):
        path = root / rel
        if not rel.endswith(ts.TS_EXTENSIONS):
            report.unreadable.append((rel, "only TypeScript/JavaScript fixes are applied"))
            continue
        try:
            raw = path.read_bytes()
        except OSError as error:
            report.unreadable.append((rel, f"cannot read: {error.strerror}"))
            continue
        bom = raw.startswith(BOM)
        data = raw[len(BOM):] if bom else raw
        accepted, skipped = _choose(by_path[rel])
        if any(edit.end_byte > len(data) for finding in accepted for edit in finding.fix.edits):
            report.unreadable.append((rel, "the file changed since it was scanned"))
            continue
        fixed = apply_edits(data, accepted)
        if fixed == data:
            continue
        if not parses(fixed, rel) and parses(data, rel):
            report.broken.append((rel, "the fixed file would not parse"))
            continue
        item = FileFix(rel, raw, (BOM if bom else b"") + fixed, accepted, skipped)
        report.files.append(item)
        if write:
            try:
                path.write_bytes(item.after)
            except OSError as error:
                report.files.remove(item)
                report.unreadable.append((rel, f"cannot write: {error.strerror}"))
    return report
