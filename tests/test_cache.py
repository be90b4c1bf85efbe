"""The result cache never returns a wrong result: content, configuration and code changes all
miss; a corrupt table is ignored; a warm scan equals a cold one."""

from __future__ import annotations

import pickle
from pathlib import Path

from linter.config import Config
from linter.engine import scan

FETCH = "export async function load(u: string) {\n  return fetch(u);\n}\n"


def _scan(root: Path, cache: Path, config: Config | None = None):
    return scan([root], config or Config(root=root), root=root, jobs=1, cache_dir=cache)


def _view(result) -> list[tuple]:
    return [(f.code, f.location.path, f.location.start_line, f.location.start_column, f.message, f.fingerprint) for f in result.findings]


def test_warm_scan_equals_cold_scan_and_skips_analysis(tmp_path: Path, monkeypatch) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    for index in range(5):
        (repo / "src" / f"m{index}.ts").write_text(FETCH, encoding="utf-8")
    cold = _scan(repo, cache)
    import linter.engine as engine

    def refuse(*args, **kwargs):
        raise AssertionError("a warm scan of unchanged files must not analyse them")

    monkeypatch.setattr(engine, "analyze_target", refuse)
    warm = _scan(repo, cache)
    assert _view(warm) == _view(cold) and len(_view(cold)) == 5
    assert warm.files == cold.files == 5


def test_changed_file_is_analysed_again(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    target = repo / "src" / "api.ts"
    target.write_text(FETCH, encoding="utf-8")
    assert len(_scan(repo, cache).findings) == 1
    target.write_text("export const safe = 1;\n", encoding="utf-8")
    assert _scan(repo, cache).findings == []


def test_configuration_change_misses(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "api.ts").write_text(FETCH, encoding="utf-8")
    assert _scan(repo, cache).findings[0].fix.edits[0].replacement.endswith("timeout(10000) }")
    config = Config(root=repo, rule_options={"TS201": {"timeout-ms": 1234}})
    assert _scan(repo, cache, config).findings[0].fix.edits[0].replacement.endswith("timeout(1234) }")
    ignoring = Config(root=repo, ignore=["TS201"])
    assert _scan(repo, cache, ignoring).findings == []


def test_corrupt_or_foreign_tables_are_ignored(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "api.ts").write_text(FETCH, encoding="utf-8")
    expected = _view(_scan(repo, cache))
    for table in cache.glob("results-*.pickle"):
        table.write_bytes(b"not a pickle")
    assert _view(_scan(repo, cache)) == expected
    for table in cache.glob("results-*.pickle"):
        table.write_bytes(pickle.dumps({"format": 999, "entries": {"src/api.ts": ("x", None)}}))
    assert _view(_scan(repo, cache)) == expected
    assert (cache / ".gitignore").read_text().strip().endswith("*")


def test_table_is_written_atomically_and_bounded(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "api.ts").write_text(FETCH, encoding="utf-8")
    for index in range(70):
        _scan(repo, cache, Config(root=repo, secret_names=[f"NAME_{index}"]))
    assert len(list(cache.glob("results-*.pickle"))) <= 64
    assert not list(cache.glob(".tmp-*"))


def test_only_analysed_files_are_cached(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "bad.ts").write_bytes(b"const s = '\xff';\n")
    (repo / "src" / "good.ts").write_text(FETCH, encoding="utf-8")
    _scan(repo, cache)
    tables = [pickle.loads(table.read_bytes()) for table in cache.glob("results-*.pickle")]
    assert len(tables) == 1
    assert set(tables[0]["entries"]) == {"src/good.ts"}


SERVER = "import express from 'express';\nimport './shutdown';\nconst app = express();\napp.listen(3000);\n"


def test_project_findings_follow_a_change_in_another_file(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "server.ts").write_text(SERVER, encoding="utf-8")
    (repo / "src" / "shutdown.ts").write_text("export const ready = true;\n", encoding="utf-8")
    assert [f.code for f in _scan(repo, cache).findings] == ["TS202"]
    assert [f.code for f in _scan(repo, cache).findings] == ["TS202"]  # from the cache
    (repo / "src" / "util.ts").write_text("export const two = 2;\n", encoding="utf-8")
    assert [f.code for f in _scan(repo, cache).findings] == ["TS202"]  # server.ts's facts come back from the table
    (repo / "src" / "shutdown.ts").write_text("process.once('SIGTERM', () => process.exit(0));\n", encoding="utf-8")
    assert _scan(repo, cache).findings == []


def test_project_findings_follow_a_manifest_change(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "layout.tsx").write_text("export default function Layout({ children }) {\n  return children;\n}\n", encoding="utf-8")
    (repo / "package.json").write_text('{"name": "site", "dependencies": {}}', encoding="utf-8")
    assert _scan(repo, cache).findings == []
    (repo / "package.json").write_text('{"name": "site", "dependencies": {"next": "15.0.0"}}', encoding="utf-8")
    assert {f.code for f in _scan(repo, cache).findings} == {"TS301"}


def test_a_change_that_keeps_size_and_mtime_is_seen_while_the_table_is_fresh(tmp_path: Path) -> None:
    """Stat alone is trusted only for files last modified well before the table was written;
    a same-size rewrite within the same clock tick (restored mtime here) is hashed."""
    import os

    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    target = repo / "src" / "api.ts"
    target.write_text(FETCH, encoding="utf-8")
    before = os.stat(target)
    assert len(_scan(repo, cache).findings) == 1
    target.write_text(FETCH.replace("fetch(u)", "Fetch(u)"), encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(target).st_size == before.st_size
    assert _scan(repo, cache).findings == []


def test_an_old_unchanged_file_is_not_read_again(tmp_path: Path, monkeypatch) -> None:
    import os

    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    target = repo / "src" / "api.ts"
    target.write_text(FETCH, encoding="utf-8")
    os.utime(target, (1_600_000_000, 1_600_000_000))  # long before the table is written
    cold = _scan(repo, cache)

    import linter.cache

    def refuse(data):
        raise AssertionError("a file was read and hashed although its stat matches")

    monkeypatch.setattr(linter.cache, "content_key", refuse)
    assert _view(_scan(repo, cache)) == _view(cold)


def test_in_a_git_work_tree_the_stat_from_discovery_is_trusted(tmp_path: Path, monkeypatch) -> None:
    """Discovery stats every listed file anyway; the cache checks that signature instead of a second stat."""
    import os
    import subprocess

    import linter.cache

    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "src").mkdir(parents=True)
    target = repo / "src" / "api.ts"
    target.write_text(FETCH, encoding="utf-8")
    os.utime(target, (1_600_000_000, 1_600_000_000))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    cold = _scan(repo, cache)

    def refuse(data):
        raise AssertionError("a file was read and hashed although its stat matches")

    monkeypatch.setattr(linter.cache, "content_key", refuse)
    assert _view(_scan(repo, cache)) == _view(cold) and len(_view(cold)) == 1
    monkeypatch.undo()
    target.write_text(FETCH.replace("fetch(u)", "fetch(u, { signal: AbortSignal.timeout(5000) })"), encoding="utf-8")
    assert _scan(repo, cache).findings == []
