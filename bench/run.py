#!/usr/bin/env python3
"""Benchmark prodlint against real repositories, beside a plain tree-sitter parse of the same
files in the same run, and append the figures to bench/RESULTS.md.

    python bench/run.py                               # every corpus in bench/corpus.toml (git clone)
    python bench/run.py --checkout medusa=/src/medusa # use an existing checkout (no network)
    python bench/run.py --only medusa --runs 5 --jobs 2

For each corpus: files, MB and lines of the TS/JS files prodlint scans; the parse floor (read +
tree-sitter parse of those files, same number of processes); prodlint cold (empty cache) and
warm (nothing changed); the engine's own cost (a cold scan with one rule, TS301, whose facts
come from file paths: every file is still read, parsed and its imports extracted, so this is
what any rule set pays before its rules run); peak RSS of the whole process tree; the ratios
to the floor; YAML
detection over the repository's YAML files; one ~2,000-line file through the CLI, start-up
included. Each figure is the median of --runs runs. This is a script people run, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
# The cheapest rule that keeps the whole per-file pipeline: a project rule (so every file's
# imports are still extracted for the module graph) whose own facts are the file's path.
ENGINE_RULE = "TS301"
sys.path.insert(0, str(HERE.parent))

from linter import ts  # noqa: E402
from linter.config import load_config  # noqa: E402
from linter.discover import discover  # noqa: E402
from linter.engine import select_targets  # noqa: E402


# --- the parse floor -----------------------------------------------------------------------


def _parse_chunk(paths: list[str]) -> int:
    parsed = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        ts.parse(data, ts.language_for(path))
        parsed += 1
    return parsed


def parse_floor(paths: list[str], jobs: int) -> float:
    started = time.perf_counter()
    if jobs <= 1:
        _parse_chunk(paths)
    else:
        chunk = max(1, min(64, len(paths) // (jobs * 8)))
        chunks = [paths[i : i + chunk] for i in range(0, len(paths), chunk)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            sum(pool.imap_unordered(_parse_chunk, chunks))
    return time.perf_counter() - started


# --- running prodlint with the whole process tree's peak RSS --------------------------------


def _tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_prodlint(args: list[str], cwd: Path, env: dict) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of the process tree in MB, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "linter", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return wall, peak // 1024, code


# --- one corpus ------------------------------------------------------------------------------


def corpus_checkout(name: str, spec: dict, checkouts: dict[str, Path], workdir: Path) -> Path:
    if name in checkouts:
        return checkouts[name]
    target = workdir / name
    if not target.exists():
        subprocess.run(["git", "clone", "--filter=blob:none", "--no-checkout", spec["url"], str(target)], check=True)
        subprocess.run(["git", "-C", str(target), "checkout", "--quiet", spec["commit"]], check=True)
    return target


def two_thousand_line_file(paths: list[str]) -> str | None:
    best, best_gap = None, None
    for path in paths:
        if not path.endswith((".ts", ".tsx")):
            continue
        try:
            with open(path, "rb") as handle:
                lines = handle.read().count(b"\n")
        except OSError:
            continue
        gap = abs(lines - 2000)
        if best_gap is None or gap < best_gap:
            best, best_gap = path, gap
    return best


def measure(name: str, root: Path, jobs: int, runs: int) -> dict:
    config = load_config(root)
    found = discover([root], root, config)
    ts_targets = [t for t in found.targets if t.kind == "ts"]
    paths = [str(t.path) for t in ts_targets]
    size = sum(os.path.getsize(p) for p in paths)
    lines = 0
    for path in paths:
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    yaml_targets = [t for t in found.targets if t.kind == "yaml"]

    floors, colds, warms, peaks, yamls, singles, engines = [], [], [], [], [], [], []
    single = two_thousand_line_file(paths)
    # Measure prodlint as installed: pip compiles bytecode at install time, so a user's start-up
    # never compiles prodlint's modules. An environment that disables bytecode
    # (PYTHONDONTWRITEBYTECODE) would make every run recompile them; one priming run writes it.
    base_env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    run_prodlint(["scan", single or ".", "--no-cache", "--format", "json", "--output", os.devnull, "--exit-zero"], root, base_env)
    for _ in range(runs):
        floors.append(parse_floor(paths, jobs))
        cache = Path(tempfile.mkdtemp(prefix="prodlint-bench-cache-"))
        env = {**base_env, "PRODLINT_CACHE_DIR": str(cache)}
        scan_args = ["scan", ".", "--format", "json", "--output", os.devnull, "--jobs", str(jobs), "--exit-zero"]
        cold, peak, code = run_prodlint(scan_args, root, env)
        if code not in (0, 1):
            raise SystemExit(f"{name}: prodlint exited {code}")
        warm, _, _ = run_prodlint(scan_args, root, env)
        shutil.rmtree(cache, ignore_errors=True)
        engine, _, _ = run_prodlint([*scan_args, "--select", ENGINE_RULE], root, env)  # cold too: it writes its table
        shutil.rmtree(cache, ignore_errors=True)
        engines.append(engine)
        colds.append(cold)
        warms.append(warm)
        peaks.append(peak)
        started = time.perf_counter()
        select_targets(yaml_targets, config)
        yamls.append(time.perf_counter() - started)
        if single:
            wall, _, _ = run_prodlint(["scan", single, "--no-cache", "--format", "json", "--output", os.devnull, "--exit-zero"], root, base_env)
            singles.append(wall)

    median = statistics.median
    floor = median(floors)
    return {
        "corpus": name,
        "files": len(paths),
        "mb": size / 1e6,
        "lines": lines,
        "yaml_files": len(yaml_targets),
        "floor": floor,
        "cold": median(colds),
        "warm": median(warms),
        "peak_mb": median(peaks),
        "cold_ratio": median(colds) / floor,
        "engine": median(engines),
        "engine_ratio": median(engines) / floor,
        "yaml_detect": median(yamls),
        "single_file": median(singles) if singles else None,
        "single_file_lines": (Path(single).read_bytes().count(b"\n") if single else None),
    }


def render(rows: list[dict], jobs: int, runs: int) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    head = (
        f"\n## {stamp} — {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"--jobs {jobs}, median of {runs} runs\n\n"
        f"| corpus | files | MB | lines | parse floor | prodlint cold | cold/floor | engine ({ENGINE_RULE} only) | engine/floor "
        "| warm | peak RSS | YAML files | YAML detect | 1 file (lines) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = ""
    for r in rows:
        single = f"{r['single_file']:.2f} s ({r['single_file_lines']})" if r["single_file"] is not None else "—"
        body += (
            f"| {r['corpus']} | {r['files']:,} | {r['mb']:.1f} | {r['lines']:,} | {r['floor']:.2f} s | {r['cold']:.2f} s | "
            f"{r['cold_ratio']:.2f}× | {r['engine']:.2f} s | {r['engine_ratio']:.2f}× | {r['warm']:.2f} s | {r['peak_mb']} MB | {r['yaml_files']:,} | {r['yaml_detect']:.2f} s | {single} |\n"
        )
    return head + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.toml")
    parser.add_argument("--checkout", action="append", default=[], metavar="NAME=PATH", help="use an existing checkout")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "prodlint-bench")
    parser.add_argument("--no-write", action="store_true", help="print, do not append to bench/RESULTS.md")
    args = parser.parse_args()

    corpora = tomllib.loads(args.corpus.read_text(encoding="utf-8"))["corpus"]
    checkouts = dict((name, Path(path).resolve()) for name, _, path in (item.partition("=") for item in args.checkout))
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, spec in corpora.items():
        if args.only and name not in args.only:
            continue
        root = corpus_checkout(name, spec, checkouts, args.workdir)
        print(f"measuring {name} at {root} …", file=sys.stderr)
        rows.append(measure(name, root, args.jobs, args.runs))
    table = render(rows, args.jobs, args.runs)
    print(table)
    if not args.no_write:
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as results:
            results.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
