"""The command line as users meet it: exit codes, formats, options, configuration errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli import main

FETCH_WITHOUT_TIMEOUT = "export async function load(u: string) {\n  return fetch(u);\n}\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    write(tmp_path, {"src/upstream.ts": FETCH_WITHOUT_TIMEOUT, "src/clean.ts": "export const answer = 42;\n"})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output_has_location_code_frame_and_summary(repo, capsys) -> None:
    code, out, _ = run(capsys, "scan", "--no-color", "--jobs", "1")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("src/upstream.ts:2:10: TS201 [warning] `fetch` without a `signal`")
    assert "    2 |   return fetch(u);" in out
    caret_line = out.splitlines()[2]
    assert caret_line.index("^") == len("    2 | ") + 9
    assert "Found 1 finding (0 errors, 1 warning, 0 notes) in 2 files scanned in" in out


def test_clean_scan_exits_zero(repo, capsys) -> None:
    code, out, _ = run(capsys, "scan", "src/clean.ts", "--no-color")
    assert code == 0
    assert "Found 0 findings" in out


def test_fail_on_error_ignores_warnings_and_exit_zero_always_passes(repo, capsys) -> None:
    assert run(capsys, "scan", "--fail-on", "error")[0] == 0
    assert run(capsys, "scan", "--fail-on", "note")[0] == 1
    assert run(capsys, "scan", "--exit-zero")[0] == 0


def test_select_and_ignore(repo, capsys) -> None:
    assert run(capsys, "scan", "--ignore", "TS201")[0] == 0
    assert run(capsys, "scan", "--select", "TS2")[0] == 1
    assert run(capsys, "scan", "--select", "TS1", "--format", "json")[0] == 0


def test_json_contract(repo, capsys) -> None:
    code, out, _ = run(capsys, "scan", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["version"] == 1
    assert set(document) == {"version", "tool", "findings", "notices", "summary"}
    finding = document["findings"][0]
    assert finding["code"] == "TS201" and finding["slug"] == "fetch-without-timeout"
    assert finding["path"] == "src/upstream.ts"
    assert finding["range"] == {"start": {"line": 2, "column": 10}, "end": {"line": 2, "column": 18}}
    assert finding["fix"]["edits"][0]["replacement"].startswith(", { signal: AbortSignal.timeout(")
    assert document["summary"]["files"] == 2 and document["summary"]["by_level"]["warning"] == 1


def test_github_annotations(repo, capsys) -> None:
    _, out, _ = run(capsys, "scan", "--format", "github")
    assert out.startswith("::warning file=src/upstream.ts,line=2,col=10,endLine=2,endColumn=18,title=TS201 fetch-without-timeout::")


def test_output_file_and_deterministic_order(repo, capsys) -> None:
    write(repo, {"src/a.ts": FETCH_WITHOUT_TIMEOUT, "src/z/b.ts": FETCH_WITHOUT_TIMEOUT})
    run(capsys, "scan", "--format", "json", "--output", "one.json", "--jobs", "2")
    run(capsys, "scan", "--format", "json", "--output", "two.json", "--jobs", "1")
    one, two = (json.loads((repo / name).read_text()) for name in ("one.json", "two.json"))
    assert [f["path"] for f in one["findings"]] == ["src/a.ts", "src/upstream.ts", "src/z/b.ts"]
    assert one["findings"] == two["findings"]


def test_config_unknown_key_is_exit_2_with_one_line(repo, capsys) -> None:
    write(repo, {"pyproject.toml": "[tool.prodlint]\nselct = ['TS201']\n"})
    code, _, err = run(capsys, "scan")
    assert code == 2
    assert "unknown key `selct`" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "table, message",
    [
        ("levels = { TS201 = 'fatal' }", "levels"),
        ("max-file-size = 'huge'", "max-file-size"),
        ("[tool.prodlint.rules.TS201]\ntimeout = 5", "unknown option `timeout`"),
        ("[tool.prodlint.rules.TS201]\ntimeout-ms = 'soon'", "expected int"),
        ("select = ['fetch']", "not a rule code"),
    ],
)
def test_bad_config_values_are_exit_2(repo, capsys, table, message) -> None:
    write(repo, {".prodlint.toml": table.replace("[tool.prodlint.rules.", "[rules.") + "\n"})
    code, _, err = run(capsys, "scan")
    assert code == 2 and message in err


def test_config_levels_per_file_ignores_and_rule_options(repo, capsys) -> None:
    write(repo, {
        "pyproject.toml": "[tool.prodlint]\nlevels = { TS201 = 'error' }\n"
                          "per-file-ignores = { 'src/legacy/**' = ['TS201'] }\n"
                          "[tool.prodlint.rules.TS201]\ntimeout-ms = 2500\n",
        "src/legacy/old.ts": FETCH_WITHOUT_TIMEOUT,
    })
    code, out, _ = run(capsys, "scan", "--format", "json")
    document = json.loads(out)
    assert [f["path"] for f in document["findings"]] == ["src/upstream.ts"]
    assert document["findings"][0]["level"] == "error"
    assert "AbortSignal.timeout(2500)" in document["findings"][0]["fix"]["edits"][0]["replacement"]
    assert run(capsys, "scan", "--fail-on", "error")[0] == 1


def test_config_found_by_walking_up(repo, capsys) -> None:
    write(repo, {".prodlint.toml": "ignore = ['TS201']\n", "pkg/api/src/x.ts": FETCH_WITHOUT_TIMEOUT})
    os.chdir(repo / "pkg")
    assert run(capsys, "scan", "api")[0] == 0


def test_excludes_gitignore_and_default_folders(repo, capsys) -> None:
    write(repo, {
        ".gitignore": "generated/\n*.gen.ts\n",
        "generated/client.ts": FETCH_WITHOUT_TIMEOUT,
        "src/api.gen.ts": FETCH_WITHOUT_TIMEOUT,
        "node_modules/lib/index.js": FETCH_WITHOUT_TIMEOUT,
        "dist/server.js": FETCH_WITHOUT_TIMEOUT,
        "public/app.min.js": FETCH_WITHOUT_TIMEOUT,
        "src/vendor-ish/keep.ts": FETCH_WITHOUT_TIMEOUT,
        "src/skipme/x.ts": FETCH_WITHOUT_TIMEOUT,
    })
    _, out, _ = run(capsys, "scan", "--format", "json", "--exclude", "src/skipme")
    paths = sorted({f["path"] for f in json.loads(out)["findings"]})
    assert paths == ["src/upstream.ts", "src/vendor-ish/keep.ts"]


def test_inline_suppression_forms(repo, capsys) -> None:
    write(repo, {
        "src/suppressed.tsx": (
            "export async function a(u: string) {\n"
            "  return fetch(u); // prodlint-ignore TS201: streaming response, the client closes it\n"
            "}\n"
            "export async function b(u: string) {\n"
            "  // prodlint-ignore TS201\n"
            "  return fetch(u);\n"
            "}\n"
            "export async function c(u: string) {\n"
            "  // prodlint-ignore TS105\n"
            "  return fetch(u);\n"
            "}\n"
            "export function View() {\n"
            "  return (\n"
            "    <div>\n"
            "      {/* prodlint-ignore TS201 */}\n"
            "      <Rows rows={fetch(process.env.ROWS_URL!)} />\n"
            "    </div>\n"
            "  );\n"
            "}\n"
        ),
        "src/whole.ts": "// prodlint-ignore-file TS201\n" + FETCH_WITHOUT_TIMEOUT,
    })
    _, out, _ = run(capsys, "scan", "src/suppressed.tsx", "src/whole.ts", "--format", "json")
    findings = json.loads(out)["findings"]
    active = [(f["path"], f["range"]["start"]["line"]) for f in findings if not f["suppressed"]]
    assert active == [("src/suppressed.tsx", 10)]
    reasons = {f["range"]["start"]["line"]: f["suppression_reason"] for f in findings if f["suppressed"]}
    assert reasons[2] == "streaming response, the client closes it"
    assert len(reasons) == 4
    _, out, _ = run(capsys, "scan", "src/suppressed.tsx", "--format", "json", "--no-ignores")
    assert sum(not f["suppressed"] for f in json.loads(out)["findings"]) == 4


def test_unused_ignores_are_reported_on_request(repo, capsys) -> None:
    write(repo, {"src/tidy.ts": "// prodlint-ignore TS201: nothing to silence here\nexport const x = 1;\n"})
    code, out, _ = run(capsys, "scan", "src/tidy.ts", "--report-unused-ignores", "--no-color")
    assert code == 1
    assert out.startswith("src/tidy.ts:1:1: PL001 [warning] `prodlint-ignore` for TS201 silences nothing here")
    assert run(capsys, "scan", "src/tidy.ts")[0] == 0
    assert run(capsys, "scan", "src/tidy.ts", "--report-unused-ignores", "--ignore", "PL001")[0] == 0


def test_hostile_files_give_notices_and_the_scan_goes_on(repo, capsys) -> None:
    write(repo, {
        "src/binary.ts": b"\x00\x01\x02\x03fetch(u)",
        "src/latin1.ts": b"const s = '\xe9t\xe9';\nfetch(u);\n",
        "src/bundle.js": ("var a=1;" * 2000 + "\n") * 3,
        "src/broken.ts": "export function (( {\n  return fetch(u);\n",
        "src/huge.ts": "// " + "x" * 3_000_000 + "\n",
        "src/modern.tsx": (
            "const cfg = { a: 1 } satisfies Record<string, number>;\n"
            "@Injectable() class Service { @Inject() dep!: string; }\n"
            "type Route = `/api/${string}`;\n"
            "const id = <T,>(x: T) => x;\n"
            "async function g() { await using res = open(); }\n"
            "const el = <List<string> items={[]} />;\n"
        ),
    })
    (repo / "src" / "loop").symlink_to(repo / "src")
    code, out, err = run(capsys, "scan", "--format", "json")
    document = json.loads(out)
    notices = {n["path"]: n["message"] for n in document["notices"]}
    assert "binary" in notices["src/binary.ts"]
    assert "UTF-8" in notices["src/latin1.ts"]
    assert "minified" in notices["src/bundle.js"]
    assert "syntax error" in notices["src/broken.ts"]
    assert "max-file-size" in notices["src/huge.ts"]
    assert "symlink loop" in notices["src/loop"]
    assert "src/modern.tsx" not in notices
    assert [f["path"] for f in document["findings"]] == ["src/upstream.ts"]
    assert code == 1


def test_nothing_in_the_scanned_tree_is_written(repo, capsys) -> None:
    before = {p: p.stat().st_mtime_ns for p in repo.rglob("*")}
    run(capsys, "scan", "--format", "sarif", "--output", str(repo.parent / "out.sarif"))
    after = {p: p.stat().st_mtime_ns for p in repo.rglob("*")}
    assert before == after


def test_missing_path_and_bad_usage_exit_2(repo, capsys) -> None:
    code, _, err = run(capsys, "scan", "nope/")
    assert code == 2 and "no such file or directory: nope" in err
    with pytest.raises(SystemExit) as raised:
        main(["scan", "--format", "xml"])
    assert raised.value.code == 2
    assert run(capsys, "scan", "--jobs", "0")[0] == 2


def test_rules_and_explain(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "TS201" in out and "fetch-without-timeout" in out
    code, out, _ = run(capsys, "explain", "ts201")
    assert code == 0
    for section in ("What it finds", "Why it matters in production", "Example", "Use instead", "How to suppress"):
        assert f"## {section}" in out
    assert run(capsys, "explain", "TS999")[0] == 2


def test_python_dash_m_works(repo) -> None:
    completed = subprocess.run([sys.executable, "-m", "linter", "scan", "--format", "json"], capture_output=True, text=True)
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["findings"][0]["code"] == "TS201"
    version = subprocess.run([sys.executable, "-m", "linter", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("prodlint ")


def test_required_reasons_and_malformed_ignores(repo, capsys) -> None:
    write(repo, {
        ".prodlint.toml": "require-ignore-reason = true\n",
        "src/reasons.ts": (
            "export async function a(u: string) {\n"
            "  return fetch(u); // prodlint-ignore TS201\n"
            "}\n"
            "export async function b(u: string) {\n"
            "  return fetch(u); // prodlint-ignore TS201: long-poll endpoint\n"
            "}\n"
            "// prodlint-ignore fetch please\n"
            "export const c = 1;\n"
        ),
    })
    code, out, _ = run(capsys, "scan", "src/reasons.ts", "--format", "json")
    document = json.loads(out)
    active = [(f["code"], f["range"]["start"]["line"]) for f in document["findings"] if not f["suppressed"]]
    assert active == [("TS201", 2), ("PL001", 2), ("PL001", 7)]
    messages = {f["range"]["start"]["line"]: f["message"] for f in document["findings"] if f["code"] == "PL001"}
    assert "reason is required" in messages[2] and "cannot read `fetch please`" in messages[7]


def test_a_selection_without_ts_rules_parses_no_ts_file(repo, capsys, monkeypatch) -> None:
    """`--select DC,GH` (an infrastructure-only job) reads TS files for their ignore comments
    only: none is parsed, yet a malformed comment in one is still reported."""
    from linter import ts

    write(repo, {
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    ports:\n      - '5432:5432'\n",
        "src/odd.ts": "// prodlint-ignore whatever this is\nexport const x = 1;\n",
    })
    parsed: list[bytes] = []
    original = ts.parse
    monkeypatch.setattr(ts, "parse", lambda data, *args: parsed.append(data) or original(data, *args))
    _, out, _ = run(capsys, "scan", "--select", "DC101,PL001", "--format", "json", "--no-cache", "--jobs", "1")
    codes = sorted((f["code"], f["path"]) for f in json.loads(out)["findings"])
    assert codes == [("DC101", "docker-compose.yml"), ("PL001", "src/odd.ts")]
    assert parsed == []
    run(capsys, "scan", "--select", "DC101,TS201", "--format", "json", "--no-cache", "--jobs", "1")
    assert len(parsed) == 3  # a TS rule selected: every TS file is parsed again


def test_a_selection_without_yaml_rules_loads_no_yaml_file(repo, capsys, monkeypatch) -> None:
    """The other way round: with TS rules only, compose files and workflows are not loaded,
    so a broken one costs nothing and says nothing; select a compose rule and it is reported."""
    import linter.yamlscan as yamlscan

    write(repo, {"docker-compose.yml": "services:\n  db:\n    image: [postgres\n"})
    loaded: list[str] = []
    original = yamlscan.load
    monkeypatch.setattr(yamlscan, "load", lambda source, result: loaded.append(source.path) or original(source, result))
    _, out, _ = run(capsys, "scan", "--select", "TS201", "--format", "json", "--no-cache", "--jobs", "1")
    document = json.loads(out)
    assert [f["code"] for f in document["findings"]] == ["TS201"]
    assert document["notices"] == [] and loaded == []
    _, out, _ = run(capsys, "scan", "--select", "DC101", "--format", "json", "--no-cache", "--jobs", "1")
    assert loaded == ["docker-compose.yml"]
    assert [n["path"] for n in json.loads(out)["notices"]] == ["docker-compose.yml"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_over_the_time_budget_is_skipped_with_a_notice(repo, capsys, monkeypatch, jobs) -> None:
    """One pathological file must not stall the scan: its analysis is cut at `time-budget`,
    it gets a notice, and every other file is reported as usual (in-process and in workers,
    whose alarm handler is installed once)."""
    import time

    import linter.engine as engine

    write(repo, {f"src/page{number}.ts": FETCH_WITHOUT_TIMEOUT for number in range(8)})
    write(repo, {"src/slow.ts": FETCH_WITHOUT_TIMEOUT, ".prodlint.toml": "time-budget = 0.3\n"})
    original = engine.analyze_ts

    def analyze_ts(source, *args, **kwargs):
        if source.path == "src/slow.ts":
            time.sleep(60)  # cut short by the budget's alarm; without it the notice is missing, a minute later
        return original(source, *args, **kwargs)

    monkeypatch.setattr(engine, "analyze_ts", analyze_ts)
    _, out, _ = run(capsys, "scan", "--format", "json", "--no-cache", "--jobs", jobs)
    document = json.loads(out)
    assert sorted({f["path"] for f in document["findings"]}) == sorted(["src/upstream.ts", *(f"src/page{n}.ts" for n in range(8))])
    assert [(n["path"], n["message"]) for n in document["notices"]] == [
        ("src/slow.ts", "skipped: analysis took longer than the 0.3s budget (time-budget)")
    ]
