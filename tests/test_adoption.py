"""Adopting prodlint on a repository that already has findings: baseline, --diff REF, shards and
merge-sarif, init."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli import main
from linter.engine import shard_of

CHECK_SARIF = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check-sarif"

API = """import axios from 'axios';

export async function loadInvoice(id: string) {
  const res = await fetch(`https://billing.internal/invoices/${id}`);
  return res.json();
}

export async function loadCustomer(id: string) {
  const { data } = await axios.get(`https://crm.internal/customers/${id}`);
  return data;
}
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "api.ts").write_text(API, encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(capsys, *args: str) -> list[tuple[str, str, int]]:
    _, out, _ = run(capsys, "scan", "--format", "json", *args)
    return [(f["code"], f["path"], f["range"]["start"]["line"]) for f in json.loads(out)["findings"] if not f["suppressed"]]


# --- baseline ---------------------------------------------------------------------------------


def test_baseline_accepts_old_findings_through_moves_and_reformatting(repo: Path, capsys) -> None:
    assert run(capsys, "scan", "--write-baseline", ".prodlint-baseline.json")[0] == 0
    assert len(json.loads((repo / ".prodlint-baseline.json").read_text())["findings"]) == 2
    assert run(capsys, "scan", "--baseline", ".prodlint-baseline.json")[0] == 0

    moved = (
        "import axios from 'axios';\n\n// A comment and a helper inserted above move every line down.\n"
        "const noop = () => undefined;\n\n"
        "export async function loadCustomer(id: string) {\n"
        "    const { data } = await axios.get( `https://crm.internal/customers/${id}` );\n"
        "    return data;\n}\n\n"
        "export async function loadInvoice(id: string) {\n"
        '  const res = await fetch(\n    `https://billing.internal/invoices/${id}`,\n  );\n'
        "  return res.json();\n}\n"
    )
    (repo / "src" / "api.ts").write_text(moved, encoding="utf-8")
    assert findings(capsys, "--baseline", ".prodlint-baseline.json") == []


def test_changing_the_offending_expression_is_a_new_finding(repo: Path, capsys) -> None:
    run(capsys, "scan", "--write-baseline", ".prodlint-baseline.json")
    changed = API.replace("https://billing.internal/invoices/${id}", "https://billing.internal/v2/invoices/${id}")
    (repo / "src" / "api.ts").write_text(changed, encoding="utf-8")
    assert findings(capsys, "--baseline", ".prodlint-baseline.json") == [("TS201", "src/api.ts", 4)]


def test_fixed_findings_are_counted_and_pruned(repo: Path, capsys) -> None:
    run(capsys, "scan", "--write-baseline", ".prodlint-baseline.json")
    fixed = API.replace("`https://crm.internal/customers/${id}`", "`https://crm.internal/customers/${id}`, { timeout: 5000 }")
    (repo / "src" / "api.ts").write_text(fixed, encoding="utf-8")
    code, out, err = run(capsys, "scan", "--baseline", ".prodlint-baseline.json", "--format", "json")
    summary = json.loads(out)["summary"]
    assert code == 0 and summary["baselined"] == 1 and summary["baseline_fixed"] == 1
    assert "--prune-baseline" in err
    run(capsys, "scan", "--baseline", ".prodlint-baseline.json", "--prune-baseline")
    assert len(json.loads((repo / ".prodlint-baseline.json").read_text())["findings"]) == 1


def test_bad_baseline_file_is_exit_2(repo: Path, capsys) -> None:
    (repo / "b.json").write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "scan", "--baseline", "b.json")
    assert code == 2 and "not a prodlint baseline" in err


# --- --diff REF -----------------------------------------------------------------------------------


def test_diff_reports_only_lines_changed_since_ref(repo: Path, capsys) -> None:
    source = (repo / "src" / "api.ts").read_text()
    source += "\nexport async function loadOrder(id: string) {\n  return fetch(`https://orders.internal/${id}`);\n}\n"
    (repo / "src" / "api.ts").write_text(source, encoding="utf-8")
    git(repo, "mv", "src/api.ts", "src/clients.ts")
    git(repo, "commit", "-q", "-am", "add loadOrder, rename")
    (repo / "src" / "fresh.ts").write_text("export const ping = () => fetch('https://status.internal/ping');\n", encoding="utf-8")
    assert findings(capsys, "--diff=HEAD~1") == [("TS201", "src/clients.ts", 14), ("TS201", "src/fresh.ts", 1)]
    assert len(findings(capsys)) == 4
    code, _, err = run(capsys, "scan", "--diff=no-such-ref")
    assert code == 2 and "--diff no-such-ref" in err


# --- shards and merge-sarif ----------------------------------------------------------------------


def _many_files(repo: Path, count: int = 24) -> None:
    for index in range(count):
        folder = repo / "packages" / f"pkg{index % 4}" / "src"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"client{index}.ts").write_text(API.replace("loadInvoice", f"loadInvoice{index}"), encoding="utf-8")


def test_shards_cover_every_file_exactly_once(repo: Path, capsys) -> None:
    _many_files(repo)
    whole = sorted(findings(capsys))
    parts = [sorted(findings(capsys, "--shard", f"{k}/3")) for k in (1, 2, 3)]
    assert sorted(item for part in parts for item in part) == whole
    assert all(part for part in parts), "24 files in 3 shards: none should be empty"
    paths = [f"packages/x/{index}.ts" for index in range(200)]
    before = {path: shard_of(path, 3) for path in paths}
    assert {path: shard_of(path, 3) for path in paths + ["new/file.ts"]}.items() >= before.items()


def test_merged_shards_equal_a_single_run(repo: Path, capsys) -> None:
    _many_files(repo)
    run(capsys, "scan", "--format", "sarif", "--output", "all.sarif")
    for k in (1, 2, 3):
        run(capsys, "scan", "--format", "sarif", "--output", f"part{k}.sarif", "--shard", f"{k}/3")
    assert run(capsys, "merge-sarif", "part1.sarif", "part2.sarif", "part3.sarif", "-o", "merged.sarif")[0] == 0
    single = json.loads((repo / "all.sarif").read_text())["runs"][0]
    merged = json.loads((repo / "merged.sarif").read_text())["runs"][0]
    assert merged["results"] == single["results"]
    assert merged["tool"]["driver"]["rules"] == single["tool"]["driver"]["rules"]
    assert merged["automationDetails"] == single["automationDetails"]
    if CHECK_SARIF.exists():
        checked = subprocess.run([sys.executable, str(CHECK_SARIF), str(repo / "merged.sarif")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout


def test_merge_refuses_different_categories(repo: Path, capsys) -> None:
    run(capsys, "scan", "--format", "sarif", "--output", "a.sarif")
    run(capsys, "scan", "--format", "sarif", "--output", "b.sarif", "--category", "other")
    code, _, err = run(capsys, "merge-sarif", "a.sarif", "b.sarif", "-o", "m.sarif")
    assert code == 2 and "category" in err


# --- init ---------------------------------------------------------------------------------------


def test_init_writes_config_and_baseline_then_only_new_findings_fail(repo: Path, capsys) -> None:
    (repo / "package.json").write_text(json.dumps({"dependencies": {"next": "15.0.0", "axios": "1.7.0"}}), encoding="utf-8")
    assert run(capsys, "init")[0] == 0
    config = (repo / ".prodlint.toml").read_text()
    assert "Detected: Next.js, axios" in config and 'baseline = ".prodlint-baseline.json"' in config
    assert run(capsys, "scan")[0] == 0
    (repo / "src" / "new.ts").write_text("export const ping = () => fetch('https://status.internal/ping');\n", encoding="utf-8")
    code, out, _ = run(capsys, "scan", "--no-color")
    assert code == 1 and out.startswith("src/new.ts:1:27: TS201")
    assert run(capsys, "init")[0] == 2


def test_markdown_summary_for_the_job_summary(repo: Path, capsys) -> None:
    code, out, _ = run(capsys, "scan", "--format", "markdown")
    assert code == 1
    assert "**2 finding(s)** in 1 file(s)" in out
    assert "| `TS201` fetch-without-timeout | warning | 2 |" in out
    assert "| `src/api.ts` | 2 |" in out


def test_index_root_lets_cross_file_rules_see_unstaged_files(repo: Path, capsys) -> None:
    (repo / "src" / "io.ts").write_text(
        "import { createServer } from 'node:http';\nimport { Server } from 'socket.io';\n\n"
        "export const io = new Server(createServer());\n", encoding="utf-8")
    (repo / "src" / "auth.ts").write_text(
        "import { io } from './io';\n\nio.use((socket, next) => next(socket.handshake.auth.token ? undefined : new Error('no')));\n",
        encoding="utf-8")
    alone = findings(capsys, "src/io.ts")
    assert ("TS106", "src/io.ts", 4) in alone
    assert findings(capsys, "src/io.ts", "--index-root", ".") == []
