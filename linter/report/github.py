"""GitHub Actions workflow commands: one annotation per finding on the pull request diff."""

from __future__ import annotations

from linter.engine import ScanResult

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult) -> str:
    lines = []
    for finding in result.active:
        loc = finding.location
        rule = result.rules.get(finding.code)
        title = f"{finding.code} {rule.slug}" if rule else finding.code
        props = f"file={_escape_property(loc.path)},line={loc.start_line},col={loc.start_column}"
        if loc.end_line:
            props += f",endLine={loc.end_line}"
            if loc.end_line == loc.start_line:
                props += f",endColumn={loc.end_column}"
        props += f",title={_escape_property(title)}"
        lines.append(f"::{_COMMAND[finding.level]} {props}::{_escape_data(finding.message)}")
    for notice in result.notices:
        props = f"file={_escape_property(notice.path)}" if notice.path else ""
        lines.append(f"::warning {props + ',' if props else ''}title=prodlint::{_escape_data(notice.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
