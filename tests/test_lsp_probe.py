"""A real editor as the client: headless Neovim (Debian's 0.7) driven by shared/tools/lsp-probe.
Its diagnostics for a file must equal the CLI's findings for the same file (codes and UTF-16
ranges), and its quick fix must produce a file that re-checks clean."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linter.config import Config
from linter.engine import scan

PROBE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "lsp-probe"
SOURCE = (
    "import axios from 'axios';\n"
    "// Ёлки 🎄: non-ASCII before the findings\n"
    "export async function sync(id: string) {\n"
    "  const ёж = await fetch(`https://api.example.com/${id}`); const b = await axios.get('/b');\n"
    "  return [ёж, b];\n"
    "}\n"
)

pytestmark = pytest.mark.skipif(
    shutil.which("nvim") is None or not PROBE.exists(), reason="needs Neovim (apt-get install neovim) and shared/tools/lsp-probe"
)


def probe(workspace: Path, path: Path, *args: str) -> dict:
    server = f"{sys.executable} -m linter lsp"
    completed = subprocess.run(
        [sys.executable, str(PROBE), "--server", server, "--file", str(path), "--root", str(workspace), "--timeout", "20", *args],
        capture_output=True, text=True, timeout=120,
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0, report.get("errors")
    return report


def cli_ranges(workspace: Path) -> list[tuple]:
    """The CLI's findings with the UTF-16 columns its SARIF and LSP views use."""
    result = scan([workspace], Config(root=workspace), root=workspace, jobs=1)
    return sorted(
        (f.code, f.location.start_line, f.location.start_utf16, f.location.end_line, f.location.end_utf16)
        for f in result.findings if not f.suppressed
    )


def test_neovim_sees_what_the_cli_sees_and_fixes_apply(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "src" / "sync.ts"
    path.parent.mkdir()
    path.write_text(SOURCE, encoding="utf-8")
    report = probe(tmp_path, path, "--code-actions")
    assert report["offset_encoding"] == "utf-16"
    editor = sorted((d["code"], d["line"], d["col"], d["end_line"], d["end_col"]) for d in report["diagnostics"])
    assert editor == cli_ranges(tmp_path)
    assert len(editor) == 2

    fixes = [action for entry in report["code_actions"] for action in entry["actions"] if action["title"].startswith("Add `signal")]
    assert len(fixes) == 1, "only the fetch call has a fix"
    fix = fixes[0]
    lines = SOURCE.split("\n")
    edit = fix["edits"][0]
    line = lines[edit["line"] - 1]
    units = 0
    for index, char in enumerate(line):
        if units == edit["col"] - 1:
            break
        units += 2 if ord(char) > 0xFFFF else 1
    lines[edit["line"] - 1] = line[:index] + edit["new_text"] + line[index:]
    path.write_text("\n".join(lines), encoding="utf-8")
    remaining = cli_ranges(tmp_path)
    fixed_line = lines[3]
    axios_column = len(fixed_line[: fixed_line.index("axios.get")].encode("utf-16-le")) // 2 + 1
    assert [(code, line, column) for code, line, column, *_ in remaining] == [("TS201", 4, axios_column)]
