"""Human output: `path:line:col: CODE [level] message`, a code frame with a caret, a summary."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from linter.engine import ScanResult
from linter.finding import Finding

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "bold": "\033[1m", "dim": "\033[2m", "reset": "\033[0m"}


class _Lines:
    """Reads a file's lines for code frames, once per file, only for files with findings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, list[str]] = {}

    def get(self, path: str, line: int) -> str | None:
        if path not in self.cache:
            try:
                self.cache[path] = (self.root / path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self.cache[path] = []
        lines = self.cache[path]
        return lines[line - 1] if 0 < line <= len(lines) else None


def render_finding(finding: Finding, lines: _Lines | None, color: bool) -> str:
    c = _COLORS if color else {key: "" for key in _COLORS}
    loc = finding.location
    head = (
        f"{c['bold']}{loc.path}:{loc.start_line}:{loc.start_column}:{c['reset']} "
        f"{c[finding.level]}{finding.code}{c['reset']} [{finding.level}] {finding.message}"
    )
    out = [head]
    source_line = lines.get(loc.path, loc.start_line) if lines else None
    if source_line is not None:
        gutter = f"{loc.start_line:>5} | "
        display = source_line.replace("\t", " ")
        width = (loc.end_column - loc.start_column) if loc.end_line == loc.start_line else len(display) - loc.start_column + 1
        out.append(f"{c['dim']}{gutter}{c['reset']}{display}")
        out.append(" " * (len(gutter) + loc.start_column - 1) + f"{c[finding.level]}^{'~' * max(0, width - 1)}{c['reset']}")
    if finding.fix is not None:
        out.append(f"        {c['dim']}fix available: {finding.fix.title}{c['reset']}")
    return "\n".join(out)


def summary_line(result: ScanResult, color: bool = False) -> str:
    active = result.active
    counts = Counter(finding.level for finding in active)
    suppressed = len(result.findings) - len(active)
    parts = [f"{counts.get(level, 0)} {level}{'s' if counts.get(level, 0) != 1 else ''}" for level in ("error", "warning", "note")]
    text = (
        f"Found {len(active)} finding{'s' if len(active) != 1 else ''} ({', '.join(parts)})"
        f" in {result.files} file{'s' if result.files != 1 else ''} scanned in {result.seconds:.2f}s"
    )
    if suppressed:
        text += f"; {suppressed} suppressed"
    if result.baselined:
        text += f"; {result.baselined} in the baseline"
    if result.baseline_fixed:
        text += f"; {result.baseline_fixed} baselined fixed"
    if result.notices:
        text += f"; {len(result.notices)} notice{'s' if len(result.notices) != 1 else ''}"
    return text


def render(result: ScanResult, *, color: bool = False, quiet: bool = False, show_frames: bool = True) -> str:
    lines = _Lines(result.root) if show_frames else None
    blocks = [render_finding(finding, lines, color) for finding in result.active]
    out = "\n\n".join(blocks)
    if not quiet:
        out = (out + "\n\n" if out else "") + summary_line(result, color)
    return out + ("\n" if out else "")


def render_notices(result: ScanResult) -> str:
    return "".join(
        f"prodlint: {notice.path + ': ' if notice.path else ''}{notice.message}\n" for notice in result.notices
    )
