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

_BLOCK = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK, 1 << 64)
_EOF = 0xFFFF
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13


def _utf16_units(text: str):
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            yield 0xD800 + (code >> 10)
            yield 0xDC00 + (code & 0x3FF)
        else:
            yield code


def github_line_hashes(text: str) -> dict[int, str]:
    """Map 1-based line number to its `primaryLocationLineHash` value."""
    window = [0] * _BLOCK
    line_at = [-1] * _BLOCK
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "prev_cr": False}

    def output() -> None:
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line_at[state["index"]]] = f"{value}:{counts[value]}"
        line_at[state["index"]] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (_MOD * state["hash"] + current - _FIRST_MOD * begin) & _MASK
        state["index"] = (index + 1) % _BLOCK

    def process(current: int) -> None:
        if current in (_SPACE, _TAB) or (state["prev_cr"] and current == _LF):
            state["prev_cr"] = False
            return
        if current == _CR:
            current = _LF
            state["prev_cr"] = True
        else:
            state["prev_cr"] = False
        if line_at[state["index"]] != -1:
            output()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_at[state["index"]] = state["line"]
        if current == _LF:
            state["line_start"] = True
        update(current)

    for unit in _utf16_units(text):
        process(unit)
    process(_EOF)
    for _ in range(_BLOCK):
        if line_at[state["index"]] != -1:
            output()
        update(0)
    return hashes


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
