"""Which files a scan reads: source files under the given paths, minus `.gitignore`d
paths, default excludes and configured excludes; plus the project manifests
(`package.json`, `tsconfig*.json`) the project index needs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from linter.config import Config, path_matches
from linter.finding import Notice
from linter.ts import TS_EXTENSIONS

DEFAULT_EXCLUDES = (
    ".git", "node_modules", "dist", "build", ".next", "coverage", "vendor", "out", ".turbo", ".vercel",
    ".output", ".nuxt", ".svelte-kit", "storybook-static", ".prodlint_cache", ".venv", "venv", "__pycache__",
    "bower_components", "jspm_packages", ".yarn", ".pnpm-store", ".cache",
)
_GENERATED = re.compile(r"(\.min\.[cm]?js|\.bundle\.[cm]?js|\.chunk\.[cm]?js|[-.][0-9a-f]{8,}\.[cm]?js)$")
YAML_EXTENSIONS = (".yml", ".yaml")
MANIFESTS = ("package.json",)


@dataclass(frozen=True)
class Target:
    path: Path  # absolute
    rel: str  # relative to the scan root, POSIX; what every view shows
    scope: str  # relative to the scanned argument; what path-based semantics read
    kind: str  # "ts" | "yaml"


@dataclass
class Discovery:
    targets: list[Target] = field(default_factory=list)
    manifests: dict[str, Path] = field(default_factory=dict)  # rel path -> absolute
    notices: list[Notice] = field(default_factory=list)


def kind_of(name: str) -> str | None:
    if name.endswith(TS_EXTENSIONS):
        return "ts"
    if name.endswith(YAML_EXTENSIONS):
        return "yaml"
    return None


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def _is_manifest(name: str) -> bool:
    return name in MANIFESTS or (name.startswith("tsconfig") and name.endswith(".json")) or name == "jsconfig.json"


class _Ignorer:
    """`.gitignore` files met on the way down, each applied relative to its own folder."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, pathspec.PathSpec]] = []

    def push(self, folder: Path) -> bool:
        gitignore = folder / ".gitignore"
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return False
        self.specs.append((folder, pathspec.GitIgnoreSpec.from_lines(lines)))
        return True

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for folder, spec in self.specs:
            try:
                rel = path.relative_to(folder).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False


def discover(paths: list[Path], root: Path, config: Config, extra_excludes: list[str] = ()) -> Discovery:
    found = Discovery()
    seen: set[Path] = set()
    excludes = list(config.exclude) + list(extra_excludes)

    def excluded(rel: str, name: str, is_dir: bool) -> bool:
        if is_dir and name in DEFAULT_EXCLUDES:
            return True
        if not is_dir and _GENERATED.search(name):
            return True
        return any(path_matches(rel, glob) for glob in excludes)

    for given in paths:
        absolute = Path(os.path.abspath(given))
        if not absolute.exists():
            found.notices.append(Notice(str(given), "no such file or directory", level="error"))
            continue
        if absolute.is_file():
            kind = kind_of(absolute.name)
            if kind is None:
                found.notices.append(Notice(relative(absolute, root), "not a file prodlint reads (unknown extension)", level="note"))
                continue
            if absolute not in seen:
                seen.add(absolute)
                rel = relative(absolute, root)
                found.targets.append(Target(absolute, rel, rel, kind))
            continue
        ignorer = _Ignorer()
        for parent in reversed([absolute, *absolute.parents]):
            if parent == absolute or (root in parent.parents or parent == root):
                if parent != absolute:
                    ignorer.push(parent)
        _walk(absolute, absolute, root, ignorer, excluded, found, seen, set())
    found.targets.sort(key=lambda target: target.rel)
    return found


def _walk(folder: Path, base: Path, root: Path, ignorer: _Ignorer, excluded, found: Discovery, seen: set, active: set) -> None:
    try:
        real = folder.resolve()
    except (OSError, RuntimeError):
        found.notices.append(Notice(relative(folder, root), "cannot resolve folder (symlink loop?)", level="warning"))
        return
    if real in active:
        found.notices.append(Notice(relative(folder, root), "symlink loop: folder links back to one of its parents; skipped", level="warning"))
        return
    active = active | {real}
    pushed = ignorer.push(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        found.notices.append(Notice(relative(folder, root), f"cannot list folder: {error.strerror}", level="warning"))
        entries = []
    for entry in entries:
        path = Path(entry.path)
        rel = relative(path, root)
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError:
            is_dir = is_file = False
        if entry.is_symlink() and not is_dir and not is_file:
            found.notices.append(Notice(rel, "broken or looping symlink; skipped", level="note"))
            continue
        if is_dir:
            if excluded(rel, entry.name, True) or ignorer.ignored(path, True):
                continue
            _walk(path, base, root, ignorer, excluded, found, seen, active)
        elif is_file:
            if _is_manifest(entry.name) and not ignorer.ignored(path, False):
                found.manifests[rel] = path
            kind = kind_of(entry.name)
            if kind is None or excluded(rel, entry.name, False) or ignorer.ignored(path, False):
                continue
            key = path.resolve() if entry.is_symlink() else path
            if key in seen:
                continue
            seen.add(key)
            found.targets.append(Target(path, rel, relative(path, base), kind))
    if pushed:
        ignorer.specs.pop()
