"""`prodlint merge-sarif A.sarif B.sarif … -o all.sarif`: join the SARIF of shards into one run.

GitHub rejects several runs with one category, so a sharded scan must upload one run. The
parts must come from prodlint with one `automationDetails.id`; rules are united by id,
results concatenated and put in the order a single scan writes them, notifications joined,
and the run counts as successful only if every part was.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote


class MergeError(Exception):
    pass


def _run_of(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MergeError(f"{path}: cannot read SARIF: {error}") from None
    runs = document.get("runs") if isinstance(document, dict) else None
    if not isinstance(runs, list) or len(runs) != 1:
        raise MergeError(f"{path}: expected exactly one run")
    run = runs[0]
    if run.get("tool", {}).get("driver", {}).get("name") != "prodlint":
        raise MergeError(f"{path}: not a prodlint run")
    return run


def _result_key(result: dict) -> tuple:
    physical = result["locations"][0]["physicalLocation"]
    region = physical.get("region", {})
    return (
        unquote(physical["artifactLocation"]["uri"]),
        region.get("startLine", 0),
        region.get("startColumn", 0),
        result["ruleId"],
        region.get("endLine", 0),
        region.get("endColumn", 0),
    )


def merge(paths: list[Path]) -> dict:
    if not paths:
        raise MergeError("no SARIF files to merge")
    runs = [_run_of(path) for path in paths]
    first = runs[0]
    category = first.get("automationDetails", {}).get("id")
    driver = dict(first["tool"]["driver"])
    for path, run in zip(paths, runs):
        if run.get("automationDetails", {}).get("id") != category:
            raise MergeError(f"{path}: category {run.get('automationDetails', {}).get('id')!r} differs from {category!r}")
        if run["tool"]["driver"].get("version") != driver.get("version"):
            raise MergeError(f"{path}: made by prodlint {run['tool']['driver'].get('version')}, not {driver.get('version')}")
    rules: dict[str, dict] = {}
    for run in runs:
        for rule in run["tool"]["driver"].get("rules", []):
            rules.setdefault(rule["id"], rule)
    ordered_rules = sorted(rules.values(), key=lambda rule: rule["id"])
    index_of = {rule["id"]: index for index, rule in enumerate(ordered_rules)}
    results = []
    for run in runs:
        for result in run.get("results", []):
            result = dict(result)
            result["ruleIndex"] = index_of[result["ruleId"]]
            results.append(result)
    results.sort(key=_result_key)
    notifications = []
    successful = True
    for run in runs:
        for invocation in run.get("invocations", []):
            successful = successful and invocation.get("executionSuccessful", False)
            notifications.extend(invocation.get("toolExecutionNotifications", []))

    def notification_key(item: dict) -> tuple:
        locations = item.get("locations") or [{}]
        physical = locations[0].get("physicalLocation", {})
        return (
            unquote(physical.get("artifactLocation", {}).get("uri", "")),
            physical.get("region", {}).get("startLine", 0),
            item.get("message", {}).get("text", ""),
        )

    unique = {json.dumps(item, sort_keys=True): item for item in notifications}
    invocation = {"executionSuccessful": successful}
    if unique:
        invocation["toolExecutionNotifications"] = sorted(unique.values(), key=notification_key)
    merged_run = {key: value for key, value in first.items() if key not in ("results", "invocations", "tool")}
    driver["rules"] = ordered_rules
    merged_run = {"tool": {"driver": driver}, **merged_run, "invocations": [invocation], "results": results}
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [merged_run]}
