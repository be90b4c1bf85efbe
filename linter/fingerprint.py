"""Fingerprints that keep a finding's identity across runs.

`github_line_hashes` reproduces the `primaryLocationLineHash` that GitHub's upload action
computes when a SARIF file lacks one: a rolling hash (base 37, 64-bit wrap-around) over the
first 100 non-blank UTF-16 code units from the start of each line, line endings folded to
`\\n`, with a `:N` suffix counting earlier lines of identical hash. Emitting the same value
ourselves keeps uploads through the action and through the REST API consistent.

`stable_fingerprint` is prodlint's own key for baselines: rule, normalized matched text and
the enclosing symbol, never the line number, so inserting lines above a finding keeps it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping

_BLOCK = 100
_MOD = 37
_MASK = (1 << 64) - 1
_TAB, _SPACE = 9, 32


class LineHashes(Mapping):
    """1-based line number -> `primaryLocationLineHash`. Which lines share a window (the `:N`
    count) is settled for every line at once by slicing the unit stream, in C; the rolling
    hash itself, 100 multiply-adds in Python, is computed only for the lines asked for, which
    in a scan are the few that carry findings."""

    def __init__(self, units: bytes, starts: list[int]) -> None:
        # units: the processed stream as UTF-16-LE, then the end-of-file unit and the zeros
        # the action feeds to flush its window
        self._units = units
        self._starts = starts
        self._occurrence: list[int] = []
        seen: dict[bytes, int] = {}
        for start in starts:
            window = units[2 * start : 2 * start + 2 * _BLOCK]
            seen[window] = seen.get(window, 0) + 1
            self._occurrence.append(seen[window])
        self._cache: dict[int, str] = {}

    def __getitem__(self, line: int) -> str:
        if not isinstance(line, int) or not 1 <= line <= len(self._starts):
            raise KeyError(line)
        value = self._cache.get(line)
        if value is None:
            offset = 2 * self._starts[line - 1]
            window = self._units[offset : offset + 2 * _BLOCK]
            digest = 0
            for index in range(0, len(window), 2):
                digest = (digest * _MOD + (window[index] | window[index + 1] << 8)) & _MASK
            value = self._cache[line] = f"{digest:x}:{self._occurrence[line - 1]}"
        return value

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, len(self._starts) + 1))

    def __len__(self) -> int:
        return len(self._starts)


def github_line_hashes(text: str) -> LineHashes:
    """Map 1-based line number to its `primaryLocationLineHash` value.

    The action skips spaces and tabs, folds CR LF and lone CR to LF, hashes the 100 units that
    start each line (the end-of-file unit 0xFFFF and then zeros past the end), and counts a
    line after the last LF too. Folding line endings before dropping blanks keeps `CR space LF`
    two line breaks, as the action's character-by-character state machine has it."""
    folded = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BLANKS)
    units = folded.encode("utf-16-le")
    if len(units) == 2 * len(folded):  # no astral characters: string offsets are unit offsets
        starts = [0] + [match.end() for match in _LF.finditer(folded)]
    else:
        starts = [0] + [match.end() // 2 for match in _LF_UNIT.finditer(units) if match.start() % 2 == 0]
    return LineHashes(units + b"\xff\xff" + b"\x00\x00" * _BLOCK, starts)


_BLANKS = {_SPACE: None, _TAB: None}
_LF = re.compile("\n")
_LF_UNIT = re.compile(b"\n\x00")


_WHITESPACE = re.compile(r"\s+")
_TRAILING_COMMA = re.compile(r",([)\]}])")


def normalize_snippet(text: str) -> str:
    """The matched text as a formatter would not change it: no whitespace, one kind of quote.
    Reformatting (`fetch( url )`, re-indenting, prettier switching quotes or adding trailing
    commas) keeps the key;
    changing the expression changes it."""
    compact = _WHITESPACE.sub("", text).replace('"', "'").replace("`", "'")
    return _TRAILING_COMMA.sub(r"\1", compact)


def stable_fingerprint(code: str, path: str, snippet: str, symbol: str, occurrence: int) -> str:
    key = "\x1f".join((code, path, normalize_snippet(snippet), symbol, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
