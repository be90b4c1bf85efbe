"""Discovery in a git work tree: git decides what is ignored, and both tracked and untracked
files are found."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from linter.config import Config
from linter.discover import discover

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(root)})


def test_tracked_untracked_and_ignored_files(tmp_path: Path) -> None:
    files = {
        ".gitignore": "dist/\n*.local.ts\n!keep.local.ts\n",
        "src/server.ts": "export const port = 3000;\n",
        "src/vendored.local.ts": "export {};\n",  # ignored, but tracked: git keeps tracking it
        "package.json": "{}\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "add", "-f", "src/vendored.local.ts")
    _git(tmp_path, "commit", "-qm", "first")
    later = {
        "src/new-route.ts": "export {};\n",  # untracked, not ignored
        "src/scratch.local.ts": "export {};\n",  # untracked and ignored
        "src/keep.local.ts": "export {};\n",  # re-included by a negation
        "dist/server.js": "module.exports = {};\n",
        "packages/api/package.json": "{}\n",
        "packages/api/index.ts": "export {};\n",
    }
    for rel, text in later.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")

    found = discover([tmp_path], tmp_path, Config(root=tmp_path))

    assert [target.rel for target in found.targets] == [
        "packages/api/index.ts", "src/keep.local.ts", "src/new-route.ts", "src/server.ts", "src/vendored.local.ts",
    ]
    assert list(found.manifests) == ["package.json", "packages/api/package.json"]
    assert all(target.signature for target in found.targets)  # the stat the cache and the read reuse
    assert not found.notices
