"""Lines changed since a git ref, for `prodlint scan --diff REF` on pull requests.

Hunk-level: `git diff --unified=0 -M REF` (the working tree against REF, renames followed to
their new path) gives the added and changed lines of each file; untracked files count as
wholly new. Paths come back relative to the scan root.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class GitDiffError(Exception):
    pass


def _git(root: Path, *args: str) -> str:
    try:
        completed = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        raise GitDiffError(f"cannot run git: {error}") from None
    if completed.returncode != 0:
        raise GitDiffError(completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1] if completed.stderr else "git failed")
    return completed.stdout.decode("utf-8", "replace")


def changed_lines(root: Path, ref: str) -> dict[str, set[int] | None]:
    """path (relative to `root`) -> changed 1-based lines; None means the whole file is new."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    diff = _git(root, "diff", "--unified=0", "--no-color", "--no-ext-diff", "-M", ref, "--")
    changed: dict[str, set[int] | None] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else name[2:] if name.startswith("b/") else name
            if current is not None:
                changed.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) if match.group(2) is not None else 1)
                lines = changed[current]
                if lines is not None:
                    lines.update(range(start, start + count))
    for name in _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z").split("\0"):
        if name:
            changed[name] = None
    result: dict[str, set[int] | None] = {}
    for name, lines in changed.items():
        rel = os.path.relpath(top / name, root.resolve())
        result[Path(rel).as_posix()] = lines
    return result


def touches(changed: dict[str, set[int] | None], path: str, start: int, end: int) -> bool:
    if path not in changed:
        return False
    lines = changed[path]
    return lines is None or any(line in lines for line in range(start, end + 1))
