"""The scan: phase 1 reads, parses and checks each file once (in worker processes), phase 2
runs project rules on the plain-data facts the workers returned; then policy is applied
once for every view: levels, per-file ignores, in-source suppression, fingerprints, order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import wraps
from pathlib import Path
from typing import Iterable

from linter import ts
from linter.config import Config, ConfigError
from linter.context import FileContext
from linter.discover import Discovery, Target, discover
from linter.finding import DEFERRED, FileResult, Finding, Notice
from linter.fingerprint import stable_fingerprint
from linter.registry import Rule, load_rules
from linter.source import SourceFile
from linter.suppress import Ignore, apply_ignores, find_ignores

MINIFIED_LINE = 5000
MINIFIED_AVERAGE = 400


class FileTimeout(Exception):
    pass


@dataclass
class ScanResult:
    root: Path
    rules: dict[str, Rule]
    findings: list[Finding] = field(default_factory=list)  # suppressed ones included, marked
    notices: list[Notice] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    unused_ignores: list[tuple[str, Ignore]] = field(default_factory=list)
    baselined: int = 0  # findings a baseline accepted (and left out of `findings`)
    baseline_fixed: int = 0  # baseline entries no finding matched any more

    @property
    def active(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.suppressed]


def selected_rules(config: Config, rules: dict[str, Rule] | None = None) -> dict[str, Rule]:
    rules = load_rules() if rules is None else rules
    config.validate_rules(rules)
    return {code: rule for code, rule in rules.items() if config.is_selected(code)}


# --- phase 1: one file ----------------------------------------------------------------------


def read_source(target: Target, config: Config, size: int | None = None) -> tuple[SourceFile | None, Notice | None]:
    try:
        if size is None:
            size = os.stat(target.location).st_size
        if size > config.max_file_size:
            return None, Notice(target.rel, f"skipped: {size:,} bytes is over the {config.max_file_size:,}-byte limit (max-file-size)", "note")
        with open(target.location, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return None, Notice(target.rel, f"cannot read file: {error.strerror or error}", "error")
    if b"\x00" in data[:8192]:
        return None, Notice(target.rel, "skipped: binary file (NUL bytes)", "note")
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]  # editors and people count columns after the BOM; fixes put it back
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Notice(target.rel, f"skipped: not valid UTF-8 (byte 0x{data[error.start]:02x} on line {line})", "warning", line)
    lines = data.count(b"\n") + 1
    if target.kind == "ts" and len(data) > MINIFIED_LINE and len(data) / lines > MINIFIED_AVERAGE:
        if max(len(line) for line in data.split(b"\n")) > MINIFIED_LINE:
            return None, Notice(target.rel, "skipped: looks minified or generated (very long lines)", "note")
    source = SourceFile(target.rel, data, target.scope, bom=bom)
    source.text = text  # decoded once: the check above already did the work
    return source, None


# A worker process's state, set by `_init_worker` (and `_init_pool_worker` in a pool).
_worker: dict = {}


def _expire(signum, frame):
    raise FileTimeout()


@contextmanager
def time_budget(seconds: float):
    """Raise FileTimeout in this thread after `seconds` (main thread of a process only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    # A pool worker installs the handler once (`_init_pool_worker`) and records it: swapping
    # the handler per file cost more than the timer itself, and so did `signal.getsignal`.
    installed = _worker.get("alarm") is _expire
    previous = None if installed else signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not installed:
            signal.signal(signal.SIGALRM, previous)


# Off only in the test that proves triggers never hide a finding the rule would make.
USE_TRIGGERS = True


def run_rules(ctx, rules: list[Rule], result: FileResult, defer_facts: bool = False) -> None:
    """Run each rule on one context; a crashing rule becomes a notice, the others still run.
    A rule whose trigger words the file lacks is skipped unread (`Rule.triggers`); with
    `defer_facts`, so is a project rule's collection where it can wait (`Rule.eager`)."""
    words = None
    for rule in rules:
        if rule.triggers and USE_TRIGGERS:
            if words is None:
                words = ctx.source.words
            if words.isdisjoint(rule.triggers):
                continue
        ctx.rule = rule
        ctx.options = ctx.config.options_for(rule)
        try:
            if defer_facts and rule.eager is not None and not rule.eager(ctx):
                result.facts[rule.code] = DEFERRED
                continue
            check = rule.collect if rule.target == "project" else rule.check
            if rule.target == "project":
                facts = check(ctx)
                if facts:
                    result.facts[rule.code] = facts
            else:
                for _ in check(ctx) or ():
                    pass
        except FileTimeout:
            raise
        except RecursionError:
            result.notices.append(Notice(ctx.path, f"{rule.code} skipped: the file nests too deeply", "warning"))
        except Exception as error:  # a rule bug must not take down the scan
            where = traceback.extract_tb(error.__traceback__)[-1]
            result.notices.append(
                Notice(ctx.path, f"{rule.code} crashed: {type(error).__name__}: {error} ({Path(where.filename).name}:{where.lineno})", "error")
            )
    ctx.rule = None
    result.findings.extend(ctx.findings)


def analyze_ts(source: SourceFile, config: Config, rules: list[Rule], result: FileResult, old_tree=None, defer_facts: bool = False) -> FileContext:
    """Parse a TS/JS file and run `rules` (the TS and project ones) on it."""
    lang = ts.language_for(source.path)
    tree = ts.parse(source.data, lang, old_tree)
    ctx = FileContext(source, config, tree, lang)
    if tree.root_node.has_error:
        error = ts.first_error(tree.root_node)
        line = error.start_point[0] + 1 if error is not None else 0
        result.notices.append(Notice(source.path, f"syntax error near line {line}; rules ran on the parts that parse", "warning", line))
    result.facts["module"] = ctx.module_facts
    run_rules(ctx, rules, result, defer_facts)
    return ctx


def collect_deferred(target: Target | None, config: Config, rule: Rule):
    """A project rule's facts for one file whose collection the scan deferred (`Rule.eager`):
    read and analysed again by that rule alone, for the few files the project phase needs."""
    if target is None or target.kind != "ts":
        return None
    source, _ = read_source(target, config)
    if source is None:
        return None
    return analyze_source(source, target.kind, config, [rule])[0].facts.get(rule.code)


def analyze_target(target: Target, config: Config, rules: list[Rule]) -> FileResult:
    from linter.cache import content_key

    signature = target.signature  # discovery's stat: taken before this read, as the cache needs
    if not signature:
        try:
            status = os.stat(target.location)  # before reading: a change after it shows as a new signature
            signature = (status.st_size, status.st_mtime_ns)
        except OSError:
            signature = ()
    source, notice = read_source(target, config, signature[0] if signature else None)
    if notice is not None:
        return FileResult(target.rel, notices=[notice], scanned=False)
    result = analyze_source(source, target.kind, config, rules, defer_facts=True)[0]
    if result.scanned:
        result.content_key = content_key((b"\xef\xbb\xbf" if source.bom else b"") + source.data)
        result.stat_signature = signature
    return result


def analyze_source(
    source: SourceFile, kind: str, config: Config, rules: list[Rule], old_tree=None, defer_facts: bool = False
) -> tuple[FileResult, object]:
    """Check one file's text (from disk or an editor buffer); returns the result and the
    syntax tree, which an editor keeps for incremental re-parsing. `defer_facts` (for files
    read from disk): project facts that can wait are collected only on demand."""
    result = FileResult(source.path)
    tree = None
    try:
        with time_budget(config.time_budget):
            if kind == "ts":
                # A selection without TS or project rules (`--select DC,GH`) reads the file for its
                # ignore comments only: parsing it and extracting its imports would serve no rule.
                ts_rules = [rule for rule in rules if rule.target in ("ts", "project")]
                if ts_rules:
                    ctx = analyze_ts(source, config, ts_rules, result, old_tree, defer_facts)
                    tree = ctx.tree
                    ctx.release()
            else:
                from linter.yamlscan import analyze_yaml

                analyze_yaml(source, config, rules, result)
    except FileTimeout:
        result.findings.clear()
        result.facts.clear()
        result.notices.append(Notice(source.path, f"skipped: analysis took longer than the {config.time_budget:g}s budget (time-budget)", "warning"))
        result.scanned = False
        return result, None
    except Exception as error:
        result.findings.clear()
        result.notices.append(Notice(source.path, f"internal error: {type(error).__name__}: {error}", "error"))
        result.scanned = False
        return result, None
    from linter.context import Context

    result.ignores = find_ignores(source.text, Context(source, config).line_location)
    return result, tree


# --- workers --------------------------------------------------------------------------------


def _init_worker(config: Config, codes: list[str]) -> None:
    rules = load_rules()
    _worker["config"] = config
    _worker["rules"] = [rules[code] for code in codes]
    _worker["project_rules"] = [rule for rule in _worker["rules"] if rule.target == "project"]


def _init_pool_worker(config: Config, codes: list[str]) -> None:
    _init_worker(config, codes)
    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _expire)
        _worker["alarm"] = _expire
    gc.enable()  # a forked worker inherits the parent's disabled collector; YAML loaders make cycles


def _analyze_chunk(items: list[tuple[Target, bool]]) -> list[FileResult]:
    results = []
    for target, facts_only in items:
        if facts_only:
            result = analyze_target(target, _worker["config"], _worker["project_rules"])
            result.facts_only = True
            result.findings.clear()
        else:
            result = analyze_target(target, _worker["config"], _worker["rules"])
        results.append(result)
    return results


def _chunks(items: list, size: int) -> list[list]:
    return [items[index : index + size] for index in range(0, len(items), size)]


def analyze_all(
    targets: list[Target], config: Config, rules: dict[str, Rule], jobs: int, facts_only: set[str] = frozenset()
) -> list[FileResult]:
    """Phase 1 over every target; targets in `facts_only` only feed the project index."""
    codes = list(rules)
    items = [(target, target.rel in facts_only) for target in targets]
    if jobs <= 1 or len(targets) < 8:
        with _cycle_collection(True):  # per-file contexts make cycles
            _init_worker(config, codes)
            return _analyze_chunk(items)
    # Biggest files first so one large file does not finish last on an idle pool.
    ordered = sorted(items, key=lambda item: -_size(item[0]))
    chunk = max(1, min(64, len(ordered) // (jobs * 8)))
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(jobs, initializer=_init_pool_worker, initargs=(config, codes)) as pool:
        if any(rule.target == "project" for rule in rules.values()):
            _import_in_background("networkx")  # the module graph's; ~0.1 s the project phase would wait for
        results = [result for batch in pool.imap_unordered(_analyze_chunk, _chunks(ordered, chunk)) for result in batch]
    results.sort(key=lambda result: result.path)
    return results


def _import_in_background(module: str) -> None:
    """Import a module in a thread while the workers parse and this process mostly waits.
    Only once the pool has forked: a fork in the middle of an import would leave the child
    holding a lock no thread of it will release."""
    import importlib

    threading.Thread(target=importlib.import_module, args=(module,), name=f"import-{module}", daemon=True).start()


def _size(target: Target) -> int:
    if target.signature:
        return target.signature[0]
    try:
        return os.path.getsize(target.location)
    except OSError:
        return 0


# --- phase 2 and policy ---------------------------------------------------------------------


def finalize(findings: list[Finding], config: Config, ignores_by_path: dict[str, list[Ignore]], use_ignores: bool = True):
    """Levels, per-file ignores, suppression and fingerprints, in one place for every view."""
    kept: list[Finding] = []
    for finding in findings:
        if config.ignored_for_path(finding.code, finding.location.path):
            continue
        level = config.levels.get(finding.code, finding.level)
        kept.append(finding.with_(level=level) if level != finding.level else finding)
    kept.sort(key=Finding.sort_key)
    by_path: dict[str, list[Finding]] = {}
    for finding in kept:
        by_path.setdefault(finding.location.path, []).append(finding)
    final: list[Finding] = []
    used_lines: dict[str, set[tuple[int, str]]] = {}
    for path, group in by_path.items():
        if use_ignores:
            group, used = apply_ignores(group, ignores_by_path.get(path, []))
            used_lines[path] = used
        occurrences: Counter = Counter()
        for finding in group:
            loc = finding.location
            key = (finding.code, loc.snippet, loc.symbol)
            occurrences[key] += 1
            final.append(finding.with_(fingerprint=stable_fingerprint(finding.code, path, loc.snippet, loc.symbol, occurrences[key])))
    final.sort(key=Finding.sort_key)
    return final, used_lines


def open_cache(cache_dir: Path | None, config: Config, rules: dict[str, Rule], scope: str):
    if cache_dir is None:
        return None
    from linter.cache import ResultCache

    return ResultCache(cache_dir, config, list(rules), scope)


def analyze_cached(
    targets: list[Target], config: Config, rules: dict[str, Rule], jobs: int, facts_only: set[str], cache,
) -> list[FileResult]:
    """Phase 1 with the result cache (None: no cache): unchanged files come from it, the rest
    from the workers. Results from the cache carry no project facts until `restore_facts`;
    the caller saves the table (`ResultCache.save`)."""
    cached: list[FileResult] = []
    missing: list[Target] = []
    for target in targets:
        hit = cache.lookup(target, target.rel in facts_only) if cache is not None else None
        (cached if hit is not None else missing).append(hit if hit is not None else target)
    fresh = analyze_all(missing, config, rules, jobs, facts_only)
    if cache is not None:
        # files that cannot be cached (unreadable, skipped as minified) are re-checked every
        # time; they alone do not make the table worth rewriting
        cache.dirty = any(result.content_key for result in fresh)
    return sorted(cached + fresh, key=lambda result: result.path)


def cached_project_rules(
    results: list[FileResult], manifests: dict, root: Path, config: Config, rules: dict[str, Rule], cache, targets: Iterable[Target] = (),
):
    """Phase 2, or its findings from the cache when no file and no manifest changed."""
    from linter.cache import project_key

    key = project_key(results, manifests) if cache is not None else None
    remembered = cache.project_findings(key) if cache is not None else None
    if remembered is not None:
        if cache.dirty:  # re-analysed files with the same content (a facts-only entry, say)
            cache.save(results, cache.project)
        return remembered
    if cache is not None:
        cache.restore_facts(results)
    findings, notices = run_project_rules(results, manifests, root, config, rules, targets)
    if cache is not None:
        cache.save(results, (key, findings, notices))
    return findings, notices


def select_targets(targets: list[Target], config: Config) -> list[Target]:
    """Keep TS/JS files and the YAML files prodlint reads (compose files, workflows, actions)."""
    try:
        from linter.yamlscan import select_yaml_targets
    except ImportError:
        return [target for target in targets if target.kind != "yaml"]
    return select_yaml_targets(targets, config)


def run_project_rules(
    results: list[FileResult], manifests: dict, root: Path, config: Config, rules: dict[str, Rule], targets: Iterable[Target] = (),
):
    """Phase 2: build the project index from the workers' facts and run project rules on it.
    `targets` are the files the results came from, for facts collected on demand."""
    from linter.project import ProjectContext, ProjectIndex

    findings: list[Finding] = []
    notices: list[Notice] = []
    project_rules = [rule for rule in rules.values() if rule.target == "project"]
    if not project_rules:
        return findings, notices
    by_path = {target.rel: target for target in targets}
    index = ProjectIndex.build(
        results, manifests, root, collect_later=lambda code, path: collect_deferred(by_path.get(path), config, rules[code]),
    )
    for rule in project_rules:
        ctx = ProjectContext(index, config, rule)
        try:
            for _ in rule.check(ctx) or ():
                pass
        except Exception as error:
            notices.append(Notice("", f"{rule.code} crashed: {type(error).__name__}: {error}", "error"))
        findings.extend(ctx.findings)
    return findings, notices


@contextmanager
def _cycle_collection(enabled: bool):
    """Run a block with Python's cyclic garbage collector on or off, then restore it."""
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


def _without_cycle_collection(function):
    """The parent holds every file's results at once; the cyclic collector re-walking them on
    each full collection cost a third of the project phase on medusa, and nothing a scan
    makes is worth collecting before it ends."""

    @wraps(function)
    def run(*args, **kwargs):
        with _cycle_collection(False):
            return function(*args, **kwargs)

    return run


def shard_of(path: str, count: int) -> int:
    """1-based shard of a path: a hash of the path alone, so adding files never moves others."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big") % count + 1


@_without_cycle_collection
def scan(
    paths: list[Path],
    config: Config,
    *,
    root: Path | None = None,
    jobs: int | None = None,
    extra_excludes: list[str] = (),
    use_ignores: bool = True,
    cache_dir: Path | None = None,
    index_paths: list[Path] | None = None,
    shard: tuple[int, int] | None = None,
    report_unused_ignores: bool = False,
) -> ScanResult:
    """Scan `paths`. Files found only under `index_paths`, and files outside `shard` (K of N),
    feed the project index (facts only) without being reported, so cross-file rules see the
    whole project whatever part of it is reported."""
    started = time.perf_counter()
    root = (root or Path.cwd()).resolve()
    rules = selected_rules(config)
    found: Discovery = discover(paths, root, config, extra_excludes)
    targets = select_targets(found.targets, config)  # sniffs unnamed YAML files: once per file
    reported = {target.rel for target in targets}
    has_project_rules = any(rule.target == "project" for rule in rules.values())
    if index_paths and has_project_rules:
        whole = discover(index_paths, root, config, extra_excludes)
        known = {target.rel for target in found.targets}
        targets += select_targets([target for target in whole.targets if target.rel not in known], config)
        found.manifests.update(whole.manifests)
    if shard is not None:
        reported = {path for path in reported if shard_of(path, shard[1]) == shard[0]}
        found.notices = [notice for notice in found.notices if shard[0] == 1 or (notice.path and shard_of(notice.path, shard[1]) == shard[0])]
    if not has_project_rules:
        targets = [target for target in targets if target.rel in reported]
    facts_only = {target.rel for target in targets if target.rel not in reported}

    scope = repr((str(root), sorted(str(Path(os.path.abspath(p))) for p in paths), sorted(extra_excludes)))
    cache = open_cache(cache_dir, config, rules, scope)
    results = analyze_cached(targets, config, rules, jobs or os.cpu_count() or 1, facts_only, cache)

    findings: list[Finding] = []
    notices: list[Notice] = list(found.notices)
    for result in results:
        if result.path in reported:
            findings.extend(result.findings)
            notices.extend(result.notices)
    project_found, project_notices = cached_project_rules(results, found.manifests, root, config, rules, cache, targets)
    findings.extend(finding for finding in project_found if finding.location.path in reported)
    notices.extend(project_notices)

    ignores_by_path = {result.path: result.ignores for result in results if result.ignores and result.path in reported}
    if config.require_ignore_reason:
        ignores_by_path = {
            path: [ignore if ignore.reason or ignore.malformed else replace(ignore, malformed="a reason is required (require-ignore-reason): `prodlint-ignore CODE: why`") for ignore in ignores]
            for path, ignores in ignores_by_path.items()
        }
    final, used_lines = finalize(findings, config, ignores_by_path, use_ignores)
    unused = []
    for path, ignores in sorted(ignores_by_path.items()):
        for ignore in ignores:
            if use_ignores and not ignore.malformed:
                codes = ignore.unused_codes(used_lines.get(path, set()))
                if codes is None or codes:
                    unused.append((path, replace(ignore, codes=codes or ())))
    final = sorted(final + suppression_findings(ignores_by_path, unused if report_unused_ignores else [], config, rules), key=Finding.sort_key)
    notices.sort(key=Notice.sort_key)
    return ScanResult(
        root=root,
        rules=rules,
        findings=final,
        notices=notices,
        files=sum(1 for result in results if result.scanned and result.path in reported),
        seconds=time.perf_counter() - started,
        unused_ignores=unused,
    )


def suppression_findings(ignores_by_path: dict, unused: list, config: Config, rules: dict[str, Rule]) -> list[Finding]:
    """PL001: malformed prodlint-ignore comments always; unused ones when asked for."""
    rule = rules.get("PL001")
    if rule is None:
        return []
    out = []
    for path, ignores in sorted(ignores_by_path.items()):
        for ignore in ignores:
            if ignore.malformed and ignore.location is not None:
                out.append(Finding("PL001", f"malformed `prodlint-ignore`: {ignore.malformed}", ignore.location, config.levels.get("PL001", rule.level)))
    for path, ignore in unused:
        if ignore.location is None:
            continue
        codes = ", ".join(ignore.codes) or "every rule"
        out.append(Finding("PL001", f"`prodlint-ignore` for {codes} silences nothing here; remove it", ignore.location, config.levels.get("PL001", rule.level)))
    finalized, _ = finalize(out, config, {}, False)
    return finalized


__all__ = ["scan", "ScanResult", "ConfigError", "selected_rules", "analyze_target", "finalize"]
