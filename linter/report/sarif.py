"""SARIF 2.1.0 for GitHub code scanning, built with `sarif-om`.

One run; every selected rule described (id = code, name = slug, help from the rule's
docstring, CWE tags, `precision`, `security-severity` as a string); results with
`%SRCROOT%`-relative, percent-encoded URIs; regions in UTF-16 code units;
`partialFingerprints` carrying GitHub's own `primaryLocationLineHash` and prodlint's stable
key; in-source suppressions; per-file notices as `toolExecutionNotifications`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote

import attr
import sarif_om as om

from linter import INFORMATION_URI, __version__
from linter.engine import ScanResult
from linter.fingerprint import github_line_hashes
from linter.finding import LEVEL_RANK, Finding, Location
from linter.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "prodlint/v1"
_SAFE_PATH_CHARS = "-._~!$&'()*+,;=@"  # RFC 3986 pchar minus ':' (a colon in a first segment reads as a scheme)


def artifact_uri(path: str) -> str:
    return "/".join(quote(segment, safe=_SAFE_PATH_CHARS) for segment in path.split("/"))


def _region(loc: Location) -> om.Region:
    return om.Region(start_line=loc.start_line, start_column=loc.start_utf16, end_line=loc.end_line, end_column=loc.end_utf16)


def _physical(loc: Location, with_region: bool = True) -> om.PhysicalLocation:
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=artifact_uri(loc.path), uri_base_id=SRCROOT),
        region=_region(loc) if with_region else None,
    )


def _text(value: str, limit: int = 1024) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _descriptor(rule: Rule, level: str) -> om.ReportingDescriptor:
    sections = rule.doc_sections()
    tags = ["security", *(f"external/cwe/cwe-{cwe}" for cwe in rule.cwe), *rule.tags]
    return om.ReportingDescriptor(
        id=rule.code,
        name=rule.slug,
        short_description=om.MultiformatMessageString(text=_text(rule.summary)),
        full_description=om.MultiformatMessageString(text=_text(sections.get("What it finds", rule.summary))),
        help=om.MultiformatMessageString(text=rule.doc or rule.summary, markdown=rule.doc or rule.summary),
        help_uri=rule.doc_url,
        default_configuration=om.ReportingConfiguration(level=level),
        properties={
            "tags": list(dict.fromkeys(tags)),
            "precision": rule.precision,
            "security-severity": f"{rule.security_severity:.1f}",
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[level],
        },
    )


class _LineHashes:
    """`primaryLocationLineHash` for locations built without one (project rules build theirs
    from facts): hash the file as upload-sarif would, from disk, once per file."""

    def __init__(self, root) -> None:
        self.root = root
        self.files: dict[str, dict[int, str]] = {}

    def get(self, loc: Location) -> str:
        if loc.line_hash:
            return loc.line_hash
        if loc.path not in self.files:
            try:
                # Node's "utf8" decoding keeps a BOM as U+FEFF and turns bad bytes into U+FFFD
                self.files[loc.path] = github_line_hashes((self.root / loc.path).read_bytes().decode("utf-8", errors="replace"))
            except (OSError, TypeError):
                self.files[loc.path] = {}
        return self.files[loc.path].get(loc.start_line, "")


def _result(finding: Finding, rule_index: int, line_hashes: _LineHashes) -> om.Result:
    loc = finding.location
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    line_hash = line_hashes.get(loc)
    if line_hash:
        fingerprints["primaryLocationLineHash"] = line_hash
    result = om.Result(
        rule_id=finding.code,
        rule_index=rule_index,
        level=finding.level,
        message=om.Message(text=finding.message),
        locations=[om.Location(physical_location=_physical(loc))],
        partial_fingerprints=fingerprints,
    )
    if finding.related:
        result.related_locations = [
            om.Location(id=index, physical_location=_physical(item), message=om.Message(text=item.note) if item.note else None)
            for index, item in enumerate(finding.related)
        ]
    if finding.fix is not None:
        result.fixes = [
            om.Fix(
                description=om.Message(text=finding.fix.title),
                artifact_changes=[
                    om.ArtifactChange(
                        artifact_location=om.ArtifactLocation(uri=artifact_uri(loc.path), uri_base_id=SRCROOT),
                        replacements=[
                            om.Replacement(deleted_region=_region(edit.location), inserted_content=om.ArtifactContent(text=edit.replacement))
                            for edit in finding.fix.edits
                            if edit.location is not None
                        ],
                    )
                ],
            )
        ]
    if finding.suppression is not None:
        suppression = om.Suppression(kind="inSource")
        if finding.suppression.justification:
            suppression.justification = finding.suppression.justification
        result.suppressions = [suppression]
    return result


def build(result: ScanResult, category: str = "scan", config_levels: dict[str, str] | None = None) -> om.SarifLog:
    levels = config_levels or {}
    rules = list(result.rules.values())
    index_of = {rule.code: index for index, rule in enumerate(rules)}
    notifications = []
    for notice in result.notices:
        notification = om.Notification(message=om.Message(text=notice.message), level=notice.level)
        if notice.path:
            notification.locations = [om.Location(physical_location=_physical_for_notice(notice))]
        notifications.append(notification)
    line_hashes = _LineHashes(result.root)
    successful = not any(notice.message.startswith("internal error") for notice in result.notices)
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="prodlint",
                version=__version__,
                semantic_version=__version__,
                information_uri=INFORMATION_URI,
                rules=[_descriptor(rule, levels.get(rule.code, rule.level)) for rule in rules],
            )
        ),
        automation_details=om.RunAutomationDetails(id=f"prodlint/{category}/"),
        column_kind="utf16CodeUnits",
        invocations=[om.Invocation(execution_successful=successful, tool_execution_notifications=notifications or None)],
        results=[_result(finding, index_of[finding.code], line_hashes) for finding in one_per_line(result.findings) if finding.code in index_of],
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA, runs=[run])


def one_per_line(findings: list[Finding]) -> list[Finding]:
    """Findings of one rule that start on the same line, as one result.

    GitHub identifies an alert by its rule and `primaryLocationLineHash`, a hash of the line's
    text: two results of one rule on one line would silently become one alert, with the second
    message lost. Joining them first keeps every message (and every fix) in that alert."""
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        key = (finding.code, finding.location.path, finding.location.start_line, finding.suppressed)
        groups.setdefault(key, []).append(finding)
    merged = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            merged.append(first)
            continue
        messages = list(dict.fromkeys(finding.message for finding in group))
        last = max(group, key=lambda finding: (finding.location.end_line, finding.location.end_utf16))
        location = replace(
            first.location, end_line=last.location.end_line, end_column=last.location.end_column,
            end_utf16=last.location.end_utf16, end_byte=last.location.end_byte,
        )
        fixes = [finding.fix for finding in group if finding.fix is not None]
        fix = replace(fixes[0], edits=tuple(edit for fix in fixes for edit in fix.edits)) if fixes else None
        related = tuple(item for finding in group for item in finding.related)
        level = max((finding.level for finding in group), key=LEVEL_RANK.__getitem__)
        message = " Also on this line: ".join(messages)
        if len(messages) < len(group):
            message += f" ({len(group)} findings of {first.code} on this line)"
        merged.append(replace(first, message=message, location=location, fix=fix, related=related, level=level))
    return merged


def _physical_for_notice(notice) -> om.PhysicalLocation:
    region = om.Region(start_line=notice.line) if notice.line else None
    return om.PhysicalLocation(artifact_location=om.ArtifactLocation(uri=artifact_uri(notice.path), uri_base_id=SRCROOT), region=region)


def to_plain(value):
    """sarif-om objects -> JSON-ready data, leaving out properties still at their defaults."""
    if attr.has(type(value)):
        out = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            # sarif-om marks "absent" with None, or -1 for indexes; other defaults are real values
            if item is None or (item == -1 and field.default == -1):
                continue
            out[field.metadata.get("schema_property_name", field.name)] = to_plain(item)
        return out
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    return value


def render(result: ScanResult, category: str = "scan", config_levels: dict[str, str] | None = None) -> str:
    log = to_plain(build(result, category, config_levels))
    ordered = {"$schema": log.pop("$schema", SCHEMA), "version": log.pop("version", "2.1.0"), **log}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
