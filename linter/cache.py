"""The result cache: a re-scan of an unchanged repository reads no file and re-runs nothing.

An entry is one file's `FileResult` (findings, notices, project facts, ignore comments),
keyed by the file's path and content hash. Like git's index, an entry also keeps the file's
size and modification time: a file whose stat matches is not re-read, unless it was modified
so close to when the table was written that a later change could share the timestamp (then
its bytes are hashed). The project phase's findings are kept too, keyed by every file's
content hash and every manifest's bytes, so an unchanged repository skips that phase; each
file's facts are stored pickled apart and unpickled only when that phase has to run.

The whole table of one scan lives in one file named after everything that can change a
result: prodlint's version, a digest of the engine, rule and query sources (so a development
checkout never reuses results of older code), the effective configuration and the selected
rules. A config change or an upgrade therefore reads a different table; it never reuses a
wrong result. Writes go to a temporary file and are renamed into place, so concurrent scans
never see half a table; the directory is pruned to a bounded size, oldest tables first.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from linter import __version__
from linter.discover import Target
from linter.finding import FileResult

FORMAT = 3
RACY_SECONDS = 2.0  # a file modified this close to the table's writing is hashed, never trusted by stat
MAX_BYTES = 256 * 1024 * 1024
MAX_TABLES = 64


@lru_cache(maxsize=None)
def code_digest() -> str:
    """Digest of the engine, the rule pack and the queries, as installed or checked out."""
    from linter.resources import grammars_dir, rules_dir

    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for folder, pattern in ((package, "*.py"), (rules_dir(), "*.py"), (grammars_dir(), "*.scm")):
        for path in sorted(folder.rglob(pattern)):
            if "_rules" in path.parts and folder == package:
                continue
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def config_digest(config, codes: list[str]) -> str:
    relevant = {
        key: value
        for key, value in sorted(vars(config).items())
        if key not in ("root", "source", "fail_on", "time_budget")
    }
    return hashlib.blake2b(repr((relevant, sorted(codes))).encode(), digest_size=16).hexdigest()


def default_directory() -> Path:
    """Outside the scanned tree, which prodlint never writes to: $PRODLINT_CACHE_DIR, else the
    user cache ($XDG_CACHE_HOME or ~/.cache)/prodlint. CI can pass `--cache-dir .prodlint_cache`."""
    explicit = os.environ.get("PRODLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "prodlint"


class ResultCache:
    def __init__(self, directory: Path, config, codes: list[str], scope: str) -> None:
        self.directory = directory
        salt = f"{FORMAT}:{__version__}:{code_digest()}:{config_digest(config, codes)}:{scope}"
        self.table_path = directory / f"results-{hashlib.blake2b(salt.encode(), digest_size=12).hexdigest()}.pickle"
        # path -> (content key, result without facts, stat signature, pickled facts)
        self.entries: dict[str, tuple[str, FileResult, tuple[int, int], bytes]] = {}
        self.project: tuple[str, list, list] | None = None  # (key, findings, notices) of the project phase
        self.written_ns = 0
        self.hits = 0
        self.dirty = False  # this scan analysed files the table does not hold yet
        self._load()

    def _load(self) -> None:
        try:
            with open(self.table_path, "rb") as handle:
                table = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return
        if isinstance(table, dict) and table.get("format") == FORMAT:
            self.entries = table.get("entries", {})
            self.project = table.get("project")
            self.written_ns = table.get("written_ns", 0)

    def lookup(self, target: Target, facts_only: bool = False) -> FileResult | None:
        """The cached result of an unchanged file; a facts-only entry serves only a facts-only need."""
        cached = self.entries.get(target.rel)
        if cached is None or (cached[1].facts_only and not facts_only):
            return None
        signature = target.signature
        if not signature:
            try:
                stat = os.stat(target.location)
            except OSError:
                return None
            signature = (stat.st_size, stat.st_mtime_ns)
        trusted = signature == cached[2] and signature[1] < self.written_ns - RACY_SECONDS * 1e9
        if not trusted:
            try:
                with open(target.location, "rb") as handle:
                    data = handle.read()
            except OSError:
                return None
            if cached[0] != content_key(data):
                return None
        self.hits += 1
        return cached[1]

    def restore_facts(self, results: list[FileResult]) -> None:
        """Give results that came from the table their project facts back."""
        for result in results:
            cached = self.entries.get(result.path)
            if cached is not None and cached[1] is result and not result.facts and cached[3]:
                result.facts = pickle.loads(cached[3])

    def project_findings(self, key: str) -> tuple[list, list] | None:
        """The project phase's (findings, notices) when it last ran on exactly this input."""
        if self.project is not None and self.project[0] == key:
            return self.project[1], self.project[2]
        return None

    def save(self, results: list[FileResult], project: tuple[str, list, list] | None) -> None:
        """Replace the table with this scan's results (files no longer present drop out) and
        project findings. Only results the worker keyed by content are kept: unreadable or
        timed-out files are retried."""
        entries = {}
        for result in results:
            if not result.content_key:
                continue
            cached = self.entries.get(result.path)
            if cached is not None and cached[1] is result:
                stored = replace(result, facts={}) if result.facts else result  # facts were restored in place
                entries[result.path] = (cached[0], stored, cached[2], cached[3])
                continue
            blob = pickle.dumps(result.facts, protocol=pickle.HIGHEST_PROTOCOL) if result.facts else b""
            entries[result.path] = (result.content_key, replace(result, facts={}), result.stat_signature, blob)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# created by prodlint\n*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".pickle")
            with os.fdopen(handle, "wb") as out:
                table = {"format": FORMAT, "entries": entries, "project": project, "written_ns": time.time_ns()}
                pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.table_path)
        except OSError:
            return  # a read-only or full disk costs speed, never a result
        self._prune()

    def _prune(self) -> None:
        try:
            tables = sorted(self.directory.glob("results-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
            total = 0
            for index, table in enumerate(tables):
                total += table.stat().st_size
                if index >= MAX_TABLES or (total > MAX_BYTES and table != self.table_path):
                    table.unlink(missing_ok=True)
            for stale in self.directory.glob(".tmp-*"):
                if time.time() - stale.stat().st_mtime > 3600:
                    stale.unlink(missing_ok=True)
        except OSError:
            pass


def project_key(results: list[FileResult], manifests: dict[str, Path]) -> str:
    """What the project phase reads: every analysed file's content hash and every manifest's
    bytes. A file that was not analysed (unreadable, skipped, timed out) gave no facts; the
    day it is analysed, it adds its hash and the key changes."""
    digest = hashlib.blake2b(digest_size=16)
    for result in results:
        if not result.content_key:
            continue
        digest.update(f"{result.path}\0{result.content_key}\0{int(result.facts_only)}\n".encode())
    for rel, path in sorted(manifests.items()):
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = b"\0unreadable"
        digest.update(f"{rel}\0".encode())
        digest.update(hashlib.blake2b(data, digest_size=16).digest())
    return digest.hexdigest()
