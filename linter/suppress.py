"""In-source suppression comments, resolved once by the engine for every view.

    // prodlint-ignore TS201                 this line, or the next code line if alone
    // prodlint-ignore TS201, TS105: reason
    {/* prodlint-ignore TS203 */}            inside JSX
    # prodlint-ignore DC102                  YAML
    // prodlint-ignore-file TS203            the whole file

Comments are found on raw lines (so they work in YAML block scalars and JSX alike); a
marker must follow a comment opener so a string that merely mentions the word is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.finding import Finding, Location, Suppression

_MARKER = re.compile(
    r"(?P<opener>//|/\*|#|<!--)\s*prodlint-ignore(?P<file>-file)?(?![\w-])"
    r"(?P<rest>[^\n]*)"
)
_CODES = re.compile(r"^\s*(?P<codes>[A-Za-z]{2,3}\d{1,3}(?:\s*,\s*[A-Za-z]{2,3}\d{1,3})*)?\s*(?::\s*(?P<reason>.*?))?\s*$")
_CLOSERS = re.compile(r"\s*(\*/\s*\}?|-->)\s*$")


@dataclass(frozen=True)
class Ignore:
    line: int  # where the comment is
    target_line: int  # the line it silences (0 for a file-wide ignore)
    codes: tuple[str, ...]  # empty = every code
    reason: str
    whole_file: bool
    malformed: str = ""  # why the comment could not be read, if it could not
    location: Location | None = None  # the comment's marker, for PL001 findings

    def covers(self, code: str) -> bool:
        return not self.codes or code in self.codes

    def unused_codes(self, used: set[tuple[int, str]]) -> tuple[str, ...] | None:
        """Codes of this comment that silenced nothing ((), when all did); None when a bare
        comment silenced nothing at all."""
        if not self.codes:
            return None if not any(line == self.line for line, _ in used) else ()
        return tuple(code for code in self.codes if (self.line, code) not in used)


def find_ignores(text: str, locate=None) -> list[Ignore]:
    """Every prodlint-ignore comment of a file. `locate(line, start, end)` (code point columns,
    0-based) turns a marker into a `Location` when the caller can build one."""
    if "prodlint-ignore" not in text:
        return []
    lines = text.splitlines()
    ignores: list[Ignore] = []
    for index, line in enumerate(lines):
        match = _MARKER.search(line)
        if not match:
            continue
        rest = _CLOSERS.sub("", match.group("rest"))
        parsed = _CODES.match(rest)
        number = index + 1
        whole_file = bool(match.group("file"))
        location = locate(number, match.start(), len(line.rstrip())) if locate else None
        if parsed is None:
            ignores.append(Ignore(number, number, (), "", whole_file, malformed=f"cannot read `{rest.strip()}` as rule codes", location=location))
            continue
        codes = tuple(code.strip().upper() for code in (parsed.group("codes") or "").split(",") if code.strip())
        reason = (parsed.group("reason") or "").strip()
        before = line[: match.start()].strip()
        own_line = before in ("", "{")
        target = number
        if own_line and not whole_file:
            target = _next_code_line(lines, index)
        ignores.append(Ignore(number, 0 if whole_file else target, codes, reason, whole_file, location=location))
    return ignores


def _next_code_line(lines: list[str], index: int) -> int:
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not _MARKER.search(stripped):
            return following + 1
    return index + 1


def apply_ignores(findings: list[Finding], ignores: list[Ignore]) -> tuple[list[Finding], set[tuple[int, str]]]:
    """Mark suppressed findings; returns them and the (comment line, code) pairs that silenced something."""
    used: set[tuple[int, str]] = set()
    if not ignores:
        return findings, used
    result = []
    for finding in findings:
        line = finding.location.start_line
        hit = None
        for ignore in ignores:
            if ignore.malformed or not ignore.covers(finding.code):
                continue
            if ignore.whole_file or ignore.target_line == line:
                hit = ignore
                break
        if hit is None:
            result.append(finding)
            continue
        used.add((hit.line, finding.code))
        kind = "file" if hit.whole_file else "line"
        result.append(finding.with_(suppression=Suppression(kind, hit.reason, hit.line)))
    return result, used
