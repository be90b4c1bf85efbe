"""SARIF for GitHub code scanning: real scans rendered by `linter.report.sarif.render` and judged
by the independent checker `shared/tools/check-sarif --strict` (schema, GitHub ingestion
rules and limits, prodlint's policy), plus exact assertions on what the checker cannot know:
URIs that name the scanned files, UTF-16 columns, suppressions, fixes, notices, rule metadata.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from linter.config import load_config
from linter.engine import scan
from linter.report.sarif import artifact_uri, render

CHECK_SARIF = Path(os.environ.get("PRODLINT_CHECK_SARIF", Path(__file__).resolve().parents[2] / "shared" / "tools" / "check-sarif"))
FIXTURES = Path(__file__).parent / "fixtures"
# RFC 3986 relative-path reference: pchar ("/" between segments), no scheme-looking first segment
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-F]{2})+(?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})+)*$")

needs_checker = pytest.mark.skipif(
    importlib.util.find_spec("jsonschema") is None or not CHECK_SARIF.exists(),
    reason="check-sarif needs the `jsonschema` package (pip install jsonschema) and shared/tools/check-sarif",
)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def sarif_of(root: Path, tmp_path: Path, category: str = "scan") -> tuple[dict, Path]:
    result = scan([root], load_config(root), root=root, jobs=1)
    text = render(result, category)
    out = tmp_path / f"{root.name}-{category.replace('/', '_')}.sarif"
    out.write_text(text, encoding="utf-8")
    return json.loads(text), out


def check_strict(path: Path, allow_shared_line_hash: bool = False) -> None:
    """`check-sarif --strict` must pass. `allow_shared_line_hash` forgives one warning only, for
    scans of code we do not control: identical lines in two files get the same
    `primaryLocationLineHash` (upload-sarif would compute the very same value)."""
    if importlib.util.find_spec("jsonschema") is None or not CHECK_SARIF.exists():
        pytest.skip("check-sarif needs the `jsonschema` package (pip install jsonschema) and shared/tools/check-sarif")
    # with SARIF_MULTITOOL pointing at the Microsoft SARIF Multitool binary, its GitHub rules judge too
    extra = ["--multitool"] if os.environ.get("SARIF_MULTITOOL") else []
    proc = subprocess.run([sys.executable, str(CHECK_SARIF), "--strict", *extra, str(path)], capture_output=True, text=True, timeout=300)
    problems = [line for line in proc.stdout.splitlines() if line.strip()]
    if allow_shared_line_hash:
        problems = [line for line in problems if "same ruleId and primaryLocationLineHash" not in line]
    assert proc.returncode == 0 or (allow_shared_line_hash and not problems and proc.returncode == 1), (
        f"check-sarif --strict rejected {path.name}:\n{proc.stdout}{proc.stderr}"
    )


def only_run(log: dict) -> dict:
    assert len(log["runs"]) == 1
    return log["runs"][0]


def results_of(log: dict, code: str = "TS201") -> list[dict]:
    return [result for result in only_run(log)["results"] if result["ruleId"] == code]


def region_of(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]["region"]


def uri_of(result: dict) -> str:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


PACKAGE = '{"name": "shop", "private": true, "dependencies": {"next": "15.0.0", "fastify": "^5.0.0", "axios": "^1.7.0"}}'
CLEAN_ROUTE = """import { NextResponse } from 'next/server';

export async function GET() {
  const res = await fetch(`${process.env.CATALOG_URL}/items`, { signal: AbortSignal.timeout(5000) });
  return NextResponse.json(await res.json());
}
"""
ROUTE_WITHOUT_TIMEOUT = """import { NextResponse } from 'next/server';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const res = await fetch(`${process.env.CATALOG_URL}/items/${id}`);
  return NextResponse.json(await res.json());
}
"""


@needs_checker
def test_zero_findings_is_a_valid_run_with_an_empty_results_array(tmp_path: Path) -> None:
    root = write(tmp_path / "clean", {"package.json": PACKAGE, "app/api/items/route.ts": CLEAN_ROUTE})
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    run = only_run(log)
    assert run["results"] == []
    assert run["automationDetails"]["id"].startswith("prodlint/scan/")
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"][0]["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in run["invocations"][0]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"TS201"}


@needs_checker
def test_fixture_repositories_render_valid_sarif(tmp_path: Path) -> None:
    log, out = sarif_of(FIXTURES, tmp_path)
    check_strict(out, allow_shared_line_hash=True)
    run = only_run(log)
    assert run["results"], "the fixtures have findings"
    for result in run["results"]:
        uri = uri_of(result)
        assert (FIXTURES / unquote(uri)).is_file(), uri
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert result["ruleIndex"] == [rule["id"] for rule in run["tool"]["driver"]["rules"]].index(result["ruleId"])


AWKWARD_PATHS = {
    "app/api/[id]/route.ts": "app/api/%5Bid%5D/route.ts",
    "app/(marketing)/[[...slug]]/route.ts": "app/(marketing)/%5B%5B...slug%5D%5D/route.ts",
    "app/api/@modal/(.)items/route.ts": "app/api/@modal/(.)items/route.ts",
    "src/my services/price list.ts": "src/my%20services/price%20list.ts",
    "src/100% done/fx.ts": "src/100%25%20done/fx.ts",
    "src/#internal/hooks.ts": "src/%23internal/hooks.ts",
    "src/query?x/what.ts": "src/query%3Fx/what.ts",
    "c:temp/win.ts": "c%3Atemp/win.ts",
    "src/заказы/клиент.ts": "src/%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%D1%8B/%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82.ts",
    "src/api/café-🚀.ts": "src/api/caf%C3%A9-%F0%9F%9A%80.ts",
}


@needs_checker
def test_awkward_paths_become_percent_encoded_relative_uri_references(tmp_path: Path) -> None:
    # each file calls its own upstream: identical lines in two files would share GitHub's line hash
    routes = {rel: ROUTE_WITHOUT_TIMEOUT.replace("/items/", f"/items-{index}/") for index, rel in enumerate(AWKWARD_PATHS)}
    root = write(tmp_path / "paths", {"package.json": PACKAGE, **routes})
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    uris = sorted(uri_of(result) for result in results_of(log))
    assert uris == sorted(AWKWARD_PATHS.values())
    for result in results_of(log):
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%"
        uri = location["uri"]
        assert URI_REFERENCE.match(uri), uri
        # what upload-sarif does: decodeURIComponent, then resolve against the checkout
        assert (root / unquote(uri, errors="strict")).is_file()
        for fix in result.get("fixes", []):
            assert fix["artifactChanges"][0]["artifactLocation"]["uri"] == uri


def test_artifact_uri_round_trips_every_path() -> None:
    for path in [*AWKWARD_PATHS, "a/b c/%41", "weird/semi;colon=1&x+y.ts", "tilde~/$dollar/'q'.ts", "back\\slash.ts"]:
        uri = artifact_uri(path)
        assert URI_REFERENCE.match(uri), uri
        assert unquote(uri) == path


COLUMNS = (
    "// Отчёты по заказам 📦\n"
    "export async function report(url: string) {\n"
    "  const title = 'Отчёт 📊 готов'; const res = await fetch(url);\n"
    "  const more = await fetch(`${url}/🚀/ёлка`); return [title, res, more];\n"
    "}\n"
)


@needs_checker
def test_columns_are_utf16_code_units_after_cyrillic_and_emoji(tmp_path: Path) -> None:
    root = write(tmp_path / "cols", {"package.json": PACKAGE, "src/report.ts": COLUMNS})
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    regions = sorted((region_of(result) for result in results_of(log)), key=lambda region: region["startLine"])
    # line 3: 17 ASCII + "Отчёт" 5 + " " + "📊" (2 units) + " готов" 6 + "'; const res = await " 21 = 52 units before `fetch`
    assert regions[0] == {"startLine": 3, "startColumn": 53, "endLine": 3, "endColumn": 63}
    # line 4: `fetch(` at unit 21; the template holds "🚀" (2 units) and "ёлка" (4)
    assert regions[1] == {"startLine": 4, "startColumn": 22, "endLine": 4, "endColumn": 22 + len("fetch(`${url}/🚀/ёлка`)".encode("utf-16-le")) // 2}
    assert regions[1]["endColumn"] == 45  # 6 + 1 + 6 + 1 + 2 + 1 + 4 + 1 + 1 = 23 units from 22
    # the fix inserts right after the argument, counted the same way
    fix = next(result for result in results_of(log) if region_of(result)["startLine"] == 3)["fixes"][0]
    replacement = fix["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {"startLine": 3, "startColumn": 62, "endLine": 3, "endColumn": 62}
    assert replacement["insertedContent"]["text"] == ", { signal: AbortSignal.timeout(10000) }"


def apply_sarif_replacements(text: str, replacements: list[dict]) -> str:
    """Apply SARIF replacements the way a SARIF consumer does: by line and UTF-16 column."""
    lines = text.split("\n")

    def offset(line: int, column: int) -> int:
        units = lines[line - 1].encode("utf-16-le")[: (column - 1) * 2].decode("utf-16-le")
        return sum(len(item) + 1 for item in lines[: line - 1]) + len(units)

    for replacement in sorted(replacements, key=lambda r: (r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]), reverse=True):
        region = replacement["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    return text


@needs_checker
def test_fixes_agree_with_the_byte_edits(tmp_path: Path) -> None:
    root = write(tmp_path / "fixes", {"package.json": PACKAGE, "src/report.ts": COLUMNS})
    result = scan([root], load_config(root), root=root, jobs=1)
    log = json.loads(render(result))
    findings = [finding for finding in result.findings if finding.code == "TS201"]
    sarif_results = results_of(log)
    assert len(findings) == len(sarif_results) == 2
    data = COLUMNS.encode("utf-8")
    for finding, sarif_result in zip(findings, sarif_results):
        assert finding.fix is not None and "fixes" in sarif_result
        assert sarif_result["fixes"][0]["description"]["text"] == finding.fix.title
        by_bytes = data
        for edit in sorted(finding.fix.edits, key=lambda edit: edit.start_byte, reverse=True):
            by_bytes = by_bytes[: edit.start_byte] + edit.replacement.encode("utf-8") + by_bytes[edit.end_byte :]
        assert apply_sarif_replacements(COLUMNS, sarif_result["fixes"][0]["artifactChanges"][0]["replacements"]) == by_bytes.decode("utf-8")


@needs_checker
def test_suppressed_findings_are_kept_with_an_in_source_suppression(tmp_path: Path) -> None:
    root = write(tmp_path / "supp", {
        "package.json": PACKAGE,
        "src/stream.ts": (
            "export async function relay(url: string) {\n"
            "  // prodlint-ignore TS201: server-sent events, the browser closes the stream\n"
            "  const upstream = await fetch(url);\n"
            "  const other = await fetch(url + '/b'); // prodlint-ignore TS201\n"
            "  return [upstream, other, await fetch(url + '/c')];\n"
            "}\n"
        ),
    })
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    by_line = {region_of(result)["startLine"]: result for result in results_of(log)}
    assert sorted(by_line) == [3, 4, 5]
    assert by_line[3]["suppressions"] == [{"kind": "inSource", "justification": "server-sent events, the browser closes the stream"}]
    assert by_line[4]["suppressions"] == [{"kind": "inSource"}]
    assert "suppressions" not in by_line[5]


@needs_checker
def test_notices_become_tool_execution_notifications(tmp_path: Path) -> None:
    root = write(tmp_path / "notices", {
        "package.json": PACKAGE,
        "src/half.ts": "export async function f(u: string) {\n  const r = await fetch(u);\n  return r.json(\n}\n",
        "src/latin1.ts": b"export const name = 'caf\xe9';\n",
        "src/ok.ts": "export const ok = 1;\n",
    })
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    invocation = only_run(log)["invocations"][0]
    notes = {
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: note
        for note in invocation["toolExecutionNotifications"]
    }
    assert set(notes) == {"src/half.ts", "src/latin1.ts"}
    assert notes["src/latin1.ts"]["level"] == "warning"
    assert "not valid UTF-8" in notes["src/latin1.ts"]["message"]["text"]
    assert notes["src/latin1.ts"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert "syntax error" in notes["src/half.ts"]["message"]["text"]
    assert invocation["executionSuccessful"] is True


@needs_checker
def test_one_run_with_a_category_per_analysis(tmp_path: Path) -> None:
    root = write(tmp_path / "cat", {"package.json": PACKAGE, "app/api/items/[id]/route.ts": ROUTE_WITHOUT_TIMEOUT})
    log, out = sarif_of(root, tmp_path, category="web")
    check_strict(out)
    run = only_run(log)
    assert run["automationDetails"]["id"] == "prodlint/web/"
    assert log["version"] == "2.1.0"
    assert re.search(r"sarif-2\.1\.0\.json$", log["$schema"])
    assert run["tool"]["driver"]["name"] == "prodlint"
    assert run["tool"]["driver"]["semanticVersion"]


@needs_checker
def test_every_rule_descriptor_carries_what_github_shows(tmp_path: Path) -> None:
    root = write(tmp_path / "rules", {"package.json": PACKAGE, "app/api/items/[id]/route.ts": ROUTE_WITHOUT_TIMEOUT})
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    rules = only_run(log)["tool"]["driver"]["rules"]
    assert rules
    for descriptor in rules:
        code = descriptor["id"]
        assert re.fullmatch(r"[A-Z]{2}\d{3}", code)
        assert descriptor["name"] and descriptor["name"] != code
        assert descriptor["shortDescription"]["text"] and not descriptor["shortDescription"]["text"].endswith(".")
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"].strip() and descriptor["help"]["markdown"].strip()
        assert "## What it finds" in descriptor["help"]["markdown"]
        assert descriptor["helpUri"].startswith("https://")
        assert descriptor["defaultConfiguration"]["level"] in ("note", "warning", "error")
        properties = descriptor["properties"]
        tags = properties["tags"]
        assert "security" in tags, code
        assert any(re.fullmatch(r"external/cwe/cwe-\d+", tag) for tag in tags), code
        assert len(tags) == len(set(tags)) <= 10
        assert properties["precision"] in ("very-high", "high", "medium", "low")
        severity = properties["security-severity"]
        assert isinstance(severity, str) and 0.0 < float(severity) <= 10.0, code
    ts201 = next(descriptor for descriptor in rules if descriptor["id"] == "TS201")
    assert "external/cwe/cwe-400" in ts201["properties"]["tags"]
    assert ts201["properties"]["security-severity"] == "4.0"


@needs_checker
def test_every_result_has_the_action_line_hash_and_a_full_region(tmp_path: Path) -> None:
    from linter.fingerprint import github_line_hashes

    root = write(tmp_path / "hash", {"package.json": PACKAGE, "src/report.ts": COLUMNS, "app/api/items/[id]/route.ts": ROUTE_WITHOUT_TIMEOUT})
    log, out = sarif_of(root, tmp_path)
    check_strict(out)
    for result in results_of(log):
        text = (root / unquote(uri_of(result))).read_bytes().decode("utf-8")
        region = region_of(result)
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert result["partialFingerprints"]["primaryLocationLineHash"] == github_line_hashes(text)[region["startLine"]]
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["prodlint/v1"])


@needs_checker
def test_related_locations_and_locations_without_a_precomputed_line_hash(tmp_path: Path) -> None:
    # Project rules build locations from facts; the view then hashes the file as upload-sarif does.
    from linter.engine import ScanResult
    from linter.finding import Finding, Location
    from linter.fingerprint import github_line_hashes
    from linter.registry import load_rules

    text = "\ufeffimport { io } from './io';\r\nio.listen(3000);\r\n"
    root = write(tmp_path / "project", {"src/server.ts": text, "src/io.ts": "export const io = new Server();\n"})

    def at(path: str, line: int, start: int, end: int, note: str = "") -> Location:
        return Location(path, line, start, line, end, start, end, 0, 0, note=note)

    finding = Finding(
        code="TS201",
        message="`io.listen` without a timeout",
        location=at("src/server.ts", 2, 1, 16),
        related=(at("src/io.ts", 1, 20, 32, "server created here"), at("src/server.ts", 1, 1, 28)),
        fingerprint="0" * 32,
    )
    rules = load_rules()
    log = json.loads(render(ScanResult(root=root, rules={"TS201": rules["TS201"]}, findings=[finding])))
    out = tmp_path / "project.sarif"
    out.write_text(json.dumps(log), encoding="utf-8")
    check_strict(out)
    (result,) = results_of(log)
    assert result["partialFingerprints"]["primaryLocationLineHash"] == github_line_hashes(text)[2]
    related = result["relatedLocations"]
    assert [item["id"] for item in related] == [0, 1]
    assert related[0]["message"]["text"] == "server created here"
    assert "message" not in related[1]
    assert related[0]["physicalLocation"]["artifactLocation"] == {"uri": "src/io.ts", "uriBaseId": "%SRCROOT%"}


def test_findings_of_one_rule_on_one_line_become_one_result(tmp_path: Path) -> None:
    """GitHub would fold them into one alert by line hash; the SARIF view joins them first."""
    root = write(tmp_path / "repo", {
        "src/pair.ts": "export const both = async (a: string, b: string) => [await fetch(a), await fetch(b)];\n",
    })
    log, path = sarif_of(root, tmp_path)
    results = results_of(log)
    assert len(results) == 1
    assert results[0]["message"]["text"].endswith("(2 findings of TS201 on this line)")
    assert len(results[0]["fixes"][0]["artifactChanges"][0]["replacements"]) == 2
    line = "export const both = async (a: string, b: string) => [await fetch(a), await fetch(b)];"
    assert region_of(results[0])["startColumn"] == line.index("fetch(a)") + 1
    assert region_of(results[0])["endColumn"] == line.index("fetch(b)") + len("fetch(b)") + 1
    check_strict(path)
