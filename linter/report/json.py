"""The JSON contract, version 1. Fields are added, never renamed or removed, within a version.

```
{
  "version": 1,
  "tool": {"name": "prodlint", "version": "0.1.0"},
  "findings": [{
      "code": "TS201", "slug": "fetch-without-timeout", "level": "warning",
      "message": "...", "path": "src/api.ts",
      "range": {"start": {"line": 3, "column": 9}, "end": {"line": 3, "column": 31}},
      "fingerprint": "…", "suppressed": false, "suppression_reason": null,
      "fix": {"title": "...", "applicability": "safe",
              "edits": [{"range": {...}, "replacement": "..."}]} | null,
      "related": [{"path": "...", "range": {...}, "note": "..."}]
  }],
  "notices": [{"path": "x.ts", "level": "warning", "message": "..."}],
  "summary": {"files": 12, "seconds": 0.41, "findings": 3, "suppressed": 1,
              "by_level": {"error": 1, "warning": 2, "note": 0},
              "baselined": 0, "baseline_fixed": 0}
}
```
Lines are 1-based; columns are 1-based and count Unicode code points. Findings include
suppressed ones (flagged) so auditors see everything; `summary.findings` counts the rest.
"""

from __future__ import annotations

import json
from collections import Counter

from linter import __version__
from linter.engine import ScanResult
from linter.finding import Location

VERSION = 1


def _range(loc: Location) -> dict:
    return {"start": {"line": loc.start_line, "column": loc.start_column}, "end": {"line": loc.end_line, "column": loc.end_column}}


def document(result: ScanResult) -> dict:
    findings = []
    for finding in result.findings:
        rule = result.rules.get(finding.code)
        fix = finding.fix
        findings.append(
            {
                "code": finding.code,
                "slug": rule.slug if rule else "",
                "level": finding.level,
                "message": finding.message,
                "path": finding.location.path,
                "range": _range(finding.location),
                "fingerprint": finding.fingerprint,
                "suppressed": finding.suppressed,
                "suppression_reason": finding.suppression.justification if finding.suppression else None,
                "fix": None
                if fix is None
                else {
                    "title": fix.title,
                    "applicability": fix.applicability,
                    "edits": [
                        {"range": _range(edit.location) if edit.location else None, "replacement": edit.replacement}
                        for edit in fix.edits
                    ],
                },
                "related": [{"path": loc.path, "range": _range(loc), "note": loc.note} for loc in finding.related],
            }
        )
    active = result.active
    counts = Counter(finding.level for finding in active)
    return {
        "version": VERSION,
        "tool": {"name": "prodlint", "version": __version__},
        "findings": findings,
        "notices": [{"path": notice.path, "level": notice.level, "message": notice.message} for notice in result.notices],
        "summary": {
            "files": result.files,
            "seconds": round(result.seconds, 3),
            "findings": len(active),
            "suppressed": len(result.findings) - len(active),
            "by_level": {level: counts.get(level, 0) for level in ("error", "warning", "note")},
            "baselined": result.baselined,
            "baseline_fixed": result.baseline_fixed,
        },
    }


def render(result: ScanResult) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
