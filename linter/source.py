"""A scanned file's text and the conversions between the position units the views need.

Tree-sitter counts UTF-8 bytes, people read code points, SARIF and LSP count UTF-16 code
units. A `SourceFile` holds the bytes once and converts on demand, line by line.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Position:
    """A point in a file: 1-based line; 0-based byte offset in the file."""

    line: int
    byte: int


_WORD_BYTES = bytes(byte if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "_$") else 0x20 for byte in range(256))


class SourceFile:
    def __init__(self, path: str, data: bytes, scope: str | None = None, bom: bool = False) -> None:
        self.path = path  # relative to the scan root, POSIX separators: what views show
        self.scope = scope or path  # relative to the scanned folder: what path-based semantics read
        self.data = data  # without a UTF-8 BOM, if the file had one
        self.bom = bom

    @cached_property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @cached_property
    def lowered(self) -> bytes:
        """The bytes in lower case, for rules' cheap "could this file matter?" checks."""
        return self.data.lower()

    @cached_property
    def words(self) -> frozenset[bytes]:
        """Every identifier-like token (`[A-Za-z0-9_$]+`) in the file, code, strings and comments
        alike: what rule triggers are checked against. `process.env.X` gives process, env, X."""
        return frozenset(self.data.translate(_WORD_BYTES).split())

    def mentions(self, *words: bytes) -> bool:
        """Whether any of `words` (lower-case bytes) occurs in the file, case-insensitively."""
        lowered = self.lowered
        return any(word in lowered for word in words)

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        find = self.data.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        return starts

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_of_byte(self, offset: int) -> int:
        """1-based line holding the byte at `offset`."""
        return bisect.bisect_right(self.line_starts, offset)

    def line_bytes(self, line: int) -> bytes:
        starts = self.line_starts
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.data)
        return self.data[start:end].rstrip(b"\r\n")

    def columns(self, offset: int) -> tuple[int, int, int]:
        """(line, 1-based code point column, 1-based UTF-16 column) of a byte offset."""
        line = self.line_of_byte(offset)
        prefix = self.data[self.line_starts[line - 1] : offset].decode("utf-8", errors="replace")
        utf16 = len(prefix.encode("utf-16-le")) // 2
        return line, len(prefix) + 1, utf16 + 1

    @cached_property
    def github_line_hashes(self) -> dict[int, str]:
        from linter.fingerprint import github_line_hashes

        # GitHub hashes the file as Node reads it: a BOM stays in as U+FEFF
        return github_line_hashes(("\ufeff" if self.bom else "") + self.text)
