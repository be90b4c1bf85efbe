"""The GitHub Action (action.yml) and the pre-commit hook, exercised locally.

The action's `run:` steps are executed in order with bash, the way the runner does it:
`${{ }}` expressions are evaluated from inputs and the `github` context, `GITHUB_OUTPUT` and
`GITHUB_STEP_SUMMARY` are real files, and `uses:` steps (setup-python) are replaced by the
interpreter running these tests, in a fresh virtual environment that the action installs
prodlint into from this checkout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def evaluate(text: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda match: context[match.group(1)], text)


def run_action(workspace: Path, inputs: dict[str, str], python_bin: Path) -> tuple[int, dict[str, str], str, str]:
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    context = {f"inputs.{name}": value for name, value in values.items()}
    context["github.action_path"] = str(ROOT)
    output_file, summary_file = workspace / "github_output", workspace / "step_summary"
    output_file.write_text("", encoding="utf-8")
    summary_file.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{python_bin}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_STEP_SUMMARY": str(summary_file),
        "PRODLINT_CACHE_DIR": str(workspace / ".cache-outside"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    log = ""
    for step in action["runs"]["steps"]:
        if "uses" in step:
            continue  # actions/setup-python: the venv below stands in for it
        step_env = {**env, **{key: evaluate(str(value), context) for key, value in step.get("env", {}).items()}}
        completed = subprocess.run(["bash", "-e", "-c", evaluate(step["run"], context)], cwd=workspace, env=step_env, capture_output=True, text=True, timeout=600)
        log += completed.stdout
        if completed.returncode != 0:
            outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
            return completed.returncode, outputs, log + completed.stderr, summary_file.read_text()
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    return 0, outputs, log, summary_file.read_text()


@pytest.fixture(scope="module")
def action_python(tmp_path_factory) -> Path:
    """A fresh environment standing in for actions/setup-python."""
    folder = tmp_path_factory.mktemp("action-python")
    venv.EnvBuilder(with_pip=True).create(folder)
    return folder / "bin"


def test_action_installs_from_its_checkout_scans_and_reports(tmp_path: Path, action_python: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "api.ts").write_text(
        "export async function load(id: string) {\n  return fetch(`https://api.internal/${id}`);\n}\n", encoding="utf-8"
    )
    code, outputs, log, summary = run_action(tmp_path, {"paths": "src", "fail-on": "warning"}, action_python)
    assert code == 1, log
    assert outputs["sarif-file"] == "prodlint.sarif"
    sarif = json.loads((tmp_path / "prodlint.sarif").read_text())
    assert [result["ruleId"] for result in sarif["runs"][0]["results"]] == ["TS201"]
    assert log.startswith("::warning file=src/api.ts,line=2,col=10")
    assert "| `TS201` fetch-without-timeout | warning | 1 |" in summary

    code, _, log, _ = run_action(tmp_path, {"paths": "src", "fail-on": "error", "args": "--select TS2"}, action_python)
    assert code == 0, log


def test_action_passes_prodlints_own_workflow_rules() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "scan", "action.yml", ".pre-commit-hooks.yaml", "--format", "json", "--no-cache"],
        cwd=ROOT, capture_output=True, text=True,
    )
    document = json.loads(completed.stdout)
    assert document["summary"]["files"] == 1, "action.yml must be read as a composite action"
    assert document["findings"] == [], document["findings"]
    assert completed.returncode == 0


def test_pre_commit_hook_definition() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(hook for hook in hooks if hook["id"] == "prodlint")
    assert hook["language"] == "python"
    entry = hook["entry"].split()
    assert entry[:2] == ["prodlint", "scan"]
    completed = subprocess.run([sys.executable, "-m", "linter", *entry[1:], "--help"], capture_output=True, text=True)
    assert completed.returncode == 0
