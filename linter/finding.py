"""The one `Finding` every view (text, JSON, SARIF, GitHub annotations, LSP) renders.

Positions are resolved once, in the worker that parsed the file, into every unit a view
needs: 1-based lines, 1-based code point columns for people, 1-based UTF-16 columns for
SARIF and LSP, and byte offsets for fixes. All of it is plain, picklable data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

LEVELS = ("note", "warning", "error")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Location:
    path: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    start_utf16: int
    end_utf16: int
    start_byte: int
    end_byte: int
    snippet: str = ""  # the matched text, for fingerprints
    symbol: str = ""  # enclosing function/class/variable, for fingerprints
    line_hash: str = ""  # GitHub's primaryLocationLineHash of start_line
    note: str = ""  # what this place is, for related locations

    def covers_line(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


@dataclass(frozen=True)
class TextEdit:
    start_byte: int
    end_byte: int
    replacement: str
    location: Location | None = None  # the replaced range, for SARIF/LSP views


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    applicability: str = "safe"  # safe | unsafe


@dataclass(frozen=True)
class Suppression:
    """An in-source `prodlint-ignore` that silenced a finding."""

    kind: str  # "line" | "file"
    justification: str
    line: int


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    location: Location
    level: str = "warning"
    related: tuple[Location, ...] = ()
    fix: Fix | None = None
    fingerprint: str = ""
    suppression: Suppression | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.start_line, loc.start_column, self.code, loc.end_line, loc.end_column)

    def with_(self, **changes) -> "Finding":
        return replace(self, **changes)


@dataclass(frozen=True)
class Notice:
    """A per-file problem of the scan itself (unreadable, unparseable, too big...)."""

    path: str
    message: str
    level: str = "warning"  # SARIF notification level
    line: int = 0

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.message)


# A project rule's facts for a file that the scan left to collect on demand (`Rule.eager`).
# None, not a sentinel object: it must stay itself through pickling to the parent and the cache.
DEFERRED = None


@dataclass
class FileResult:
    """What one worker returns for one file: findings, notices and plain-data facts."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # rule code (or "module") -> facts, or DEFERRED
    ignores: list = field(default_factory=list)  # linter.suppress.Ignore of this file
    scanned: bool = True
    content_key: str = ""  # hash of the bytes analysed, for the result cache; empty = do not cache
    stat_signature: tuple = ()  # (size, mtime_ns) taken before the bytes were read, for the cache
    facts_only: bool = False  # only the project index's facts were gathered (a file outside the report)
