#!/usr/bin/env python3
"""Editor latency of `prodlint lsp`, measured through a real client (headless Neovim driven by
shared/tools/lsp-probe): didOpen -> first publishDiagnostics, and didChange -> the fresh
publish, for a ~2,000-line TypeScript file. Reports median and p95 and the file's size.

    python bench/lsp_latency.py FILE.ts [--edits 40] [--rounds 3] [--probe PATH]

FILE is copied to a scratch folder (the probe edits the buffer only). Each edit rewrites one
line in the middle of the file, alternately adding and removing a `fetch` call without a
timeout, so every publish carries a real change.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PROBE = HERE.parent.parent / "shared" / "tools" / "lsp-probe"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe", type=Path, default=DEFAULT_PROBE)
    args = parser.parse_args()
    if shutil.which("nvim") is None:
        raise SystemExit("needs Neovim: apt-get install -y neovim")

    text = args.file.read_text(encoding="utf-8")
    lines = text.splitlines()
    middle = len(lines) // 2
    opens, changes = [], []
    for _ in range(args.rounds):
        scratch = Path(tempfile.mkdtemp(prefix="prodlint-lsp-bench-"))
        (scratch / ".git").mkdir()
        target = scratch / "src" / args.file.name
        target.parent.mkdir()
        target.write_text(text, encoding="utf-8")
        edits = []
        for index in range(args.edits):
            line = middle + (index % 5)
            replacement = "const probe = await fetch(process.env.PROBE_URL!);" if index % 2 == 0 else lines[line - 1]
            edits += ["--edit", f"{line}:{replacement}"]
        completed = subprocess.run(
            [sys.executable, str(args.probe), "--server", f"{sys.executable} -m linter lsp", "--file", str(target),
             "--root", str(scratch), "--debounce", "0", "--timeout", "30", *edits],
            capture_output=True, text=True,
        )
        report = json.loads(completed.stdout)
        if report.get("errors"):
            raise SystemExit(f"probe failed: {report['errors']}")
        opens.append(report["open_to_diagnostics_ms"])
        changes.extend(edit["edit_to_diagnostics_ms"] for edit in report["edits"] if edit["edit_to_diagnostics_ms"] is not None)
        shutil.rmtree(scratch, ignore_errors=True)

    size = len(text.encode("utf-8"))
    print(f"file: {args.file} ({len(lines)} lines, {size / 1024:.1f} KiB)")
    print(f"client: {report['client']}")
    print(f"didOpen -> diagnostics: median {statistics.median(opens):.1f} ms over {len(opens)} opens (max {max(opens):.1f} ms)")
    print(
        f"didChange -> diagnostics: median {statistics.median(changes):.1f} ms, p95 {percentile(changes, 0.95):.1f} ms "
        f"over {len(changes)} edits"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
