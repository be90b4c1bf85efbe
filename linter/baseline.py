"""Baselines: accept today's findings, report only new ones.

A baseline file records findings by prodlint's stable fingerprint (rule, path, the matched
text without whitespace or quote style, the enclosing symbol, and an occurrence number —
never a line number), so moving code, inserting lines above and reformatting keep a finding
baselined, while changing the offending expression makes it new again.

    {"version": 1, "tool": "prodlint", "findings": [
        {"fingerprint": "…", "code": "TS201", "path": "src/api.ts", "line": 12, "message": "…"}]}

`line` and `message` are for people reading the file; matching uses `fingerprint` only.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from linter.finding import Finding

VERSION = 1


class BaselineError(Exception):
    pass


@dataclass
class BaselineOutcome:
    new: list[Finding]  # findings not in the baseline (plus every suppressed one, untouched)
    matched: int  # findings the baseline accepted
    fixed: list[dict]  # baseline entries no finding matched any more


def load(path: Path) -> list[dict]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror}") from None
    except ValueError as error:
        raise BaselineError(f"{path}: not a prodlint baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("version") != VERSION or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a prodlint baseline of version {VERSION}")
    return [entry for entry in document["findings"] if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)]


def entries_for(findings: list[Finding]) -> list[dict]:
    return [
        {
            "fingerprint": finding.fingerprint,
            "code": finding.code,
            "path": finding.location.path,
            "line": finding.location.start_line,
            "message": finding.message,
        }
        for finding in findings
        if not finding.suppressed
    ]


def write(path: Path, entries: list[dict]) -> None:
    document = {"version": VERSION, "tool": "prodlint", "findings": sorted(entries, key=lambda e: (e["path"], e["line"], e["code"]))}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".prodlint-baseline-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(temporary, path)


def apply(findings: list[Finding], entries: list[dict]) -> BaselineOutcome:
    accepted = {entry["fingerprint"] for entry in entries}
    seen: set[str] = set()
    new: list[Finding] = []
    for finding in findings:
        if not finding.suppressed and finding.fingerprint in accepted:
            seen.add(finding.fingerprint)
            continue
        new.append(finding)
    fixed = [entry for entry in entries if entry["fingerprint"] not in seen]
    return BaselineOutcome(new=new, matched=len(seen), fixed=fixed)
