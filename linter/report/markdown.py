"""A markdown summary for `$GITHUB_STEP_SUMMARY`: totals, findings by rule, the files with
the most findings, for repositories without code scanning."""

from __future__ import annotations

from collections import Counter

from linter.engine import ScanResult

TOP_FILES = 10


def render(result: ScanResult) -> str:
    active = result.active
    levels = Counter(finding.level for finding in active)
    lines = ["## prodlint", ""]
    if not active:
        lines.append(f"No findings in {result.files} file(s).")
    else:
        lines.append(
            f"**{len(active)} finding(s)** in {result.files} file(s): "
            f"{levels.get('error', 0)} error(s), {levels.get('warning', 0)} warning(s), {levels.get('note', 0)} note(s)."
        )
    extra = []
    suppressed = len(result.findings) - len(active)
    if suppressed:
        extra.append(f"{suppressed} suppressed in source")
    if result.baselined:
        extra.append(f"{result.baselined} accepted by the baseline")
    if result.baseline_fixed:
        extra.append(f"{result.baseline_fixed} baselined finding(s) fixed")
    if extra:
        lines.append("")
        lines.append("(" + "; ".join(extra) + ")")
    if active:
        by_rule = Counter(finding.code for finding in active)
        lines += ["", "| rule | level | findings |", "|---|---|---|"]
        for code, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
            rule = result.rules.get(code)
            name = f"`{code}` {rule.slug}" if rule else f"`{code}`"
            lines.append(f"| {name} | {rule.level if rule else ''} | {count} |")
        by_file = Counter(finding.location.path for finding in active)
        lines += ["", "| file | findings |", "|---|---|"]
        for path, count in by_file.most_common(TOP_FILES):
            lines.append(f"| `{path}` | {count} |")
    if result.notices:
        lines += ["", f"{len(result.notices)} file notice(s) (unreadable, unparseable or skipped files); see the job log."]
    return "\n".join(lines) + "\n"
