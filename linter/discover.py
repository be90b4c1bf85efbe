"""Which files a scan reads: source files under the given paths, minus `.gitignore`d
paths, default excludes and configured excludes; plus the project manifests
(`package.json`, `tsconfig*.json`) the project index needs."""

from __future__ import annotations

import os
import re
from stat import S_ISREG
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter.config import Config, path_matches
from linter.finding import Notice
from linter.ts import TS_EXTENSIONS

if TYPE_CHECKING:
    import pathspec

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
    location: str | os.PathLike  # absolute; a plain string from discovery (a Path per file costs ~20 µs)
    rel: str  # relative to the scan root, POSIX; what every view shows
    scope: str  # relative to the scanned argument; what path-based semantics read
    kind: str  # "ts" | "yaml"
    signature: tuple = ()  # (size, mtime_ns) if discovery already stat'ed the file: the cache's check

    @property
    def path(self) -> Path:
        return Path(self.location)


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
        self.specs: list[tuple[str, "pathspec.PathSpec"]] = []  # (folder + "/", spec)

    def push(self, folder: str) -> bool:
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return False
        import pathspec  # only outside git work trees

        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        if not spec.patterns:
            return False
        self.specs.append((folder.rstrip("/") + "/", spec))
        return True

    def ignored(self, path: str, is_dir: bool) -> bool:
        for folder, spec in self.specs:
            if path.startswith(folder):
                rel = path[len(folder) :]
                if spec.match_file(rel + "/" if is_dir else rel):
                    return True
        return False


def discover(paths: list[Path], root: Path, config: Config, extra_excludes: list[str] = ()) -> Discovery:
    found = Discovery()
    seen: set[str] = set()
    excludes = list(config.exclude) + list(extra_excludes)
    root_str = str(root)

    def rel_of(path: str) -> str:
        if path.startswith(root_str + "/"):
            return path[len(root_str) + 1 :]
        return relative(Path(path), root)

    def excluded(rel: str, name: str, is_dir: bool) -> bool:
        if is_dir and name in DEFAULT_EXCLUDES:
            return True
        if not is_dir and _GENERATED.search(name):
            return True
        return bool(excludes) and any(path_matches(rel, glob) for glob in excludes)

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
            if str(absolute) not in seen:
                seen.add(str(absolute))
                rel = relative(absolute, root)
                found.targets.append(Target(absolute, rel, rel, kind))
            continue
        if _discover_with_git(absolute, rel_of, excluded, found, seen):
            continue
        ignorer = _Ignorer()
        for parent in reversed(absolute.parents):
            if parent == root or root in parent.parents:
                ignorer.push(str(parent))
        walker = _Walker(str(absolute), rel_of, ignorer, excluded, found, seen)
        walker.walk(str(absolute), os.path.realpath(absolute), (os.path.realpath(absolute),))
    found.targets.sort(key=lambda target: target.rel)
    return found


# Listings of untracked files started ahead of discovery (`list_untracked_early`), by folder.
_untracked_listings: dict[str, "subprocess.Popen"] = {}


def _in_git_work_tree(folder: Path) -> bool:
    import shutil

    return shutil.which("git") is not None and any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _list_untracked(folder: Path) -> "subprocess.Popen":
    import subprocess

    return subprocess.Popen(
        ["git", "-C", str(folder), "ls-files", "-z", "--others", "--exclude-standard", "--full-name", "."],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )


def list_untracked_early(paths: list[Path]) -> None:
    """Start git's listing of untracked files for the folders a scan will discover. It walks
    the whole work tree (0.2 s on a large monorepo) on another core while this process
    loads its rules; discovery picks the listing up instead of starting its own."""
    for given in paths:
        folder = Path(os.path.abspath(given))
        if folder.is_dir() and str(folder) not in _untracked_listings and _in_git_work_tree(folder):
            try:
                _untracked_listings[str(folder)] = _list_untracked(folder)
            except OSError:
                pass


def _discover_with_git(folder: Path, rel_of, excluded, found: Discovery, seen: set[str]) -> bool:
    """In a git work tree, ask git for the files it does not ignore: exact `.gitignore`
    semantics (nested files, negations, `.git/info/exclude`, tracked files stay) at C speed.
    False when git or the work tree is missing; the caller then walks with pathspec."""
    import subprocess

    untracked = _untracked_listings.pop(str(folder), None)
    if untracked is None and not _in_git_work_tree(folder):
        return False

    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=60, check=True).stdout

    # Listing untracked files walks the whole tree and takes most of the time; it runs while
    # this process stats the tracked ones.
    try:
        untracked = untracked or _list_untracked(folder)
        tracked = git("ls-files", "-z", "--cached", "--full-name", ".")
        top = git("rev-parse", "--show-toplevel").decode().strip()
    except (OSError, subprocess.SubprocessError):
        if untracked is not None:
            untracked.kill()
            untracked.wait()
        return False
    base = str(folder).rstrip("/") + "/"
    top_prefix = top.rstrip("/") + "/"
    folder_skipped: dict[str, bool] = {}

    def skipped(rel_folder: str) -> bool:
        if rel_folder not in folder_skipped:
            parent, _, name = rel_folder.rpartition("/")
            folder_skipped[rel_folder] = (bool(parent) and skipped(parent)) or excluded(rel_folder, name, True)
        return folder_skipped[rel_folder]

    def add(listed: bytes) -> None:
        for raw in listed.split(b"\0"):
            if raw:
                add_file(os.fsdecode(raw))

    def add_file(name_in_repo: str) -> None:
        name = name_in_repo.rpartition("/")[2]
        kind = kind_of(name)
        manifest = _is_manifest(name)
        if kind is None and not manifest:
            return  # most of a repository: images, docs, lock files
        path = top_prefix + name_in_repo
        rel = rel_of(path)
        rel_folder = rel.rpartition("/")[0]
        if rel_folder and skipped(rel_folder):
            return
        try:
            status = os.stat(path)
        except OSError:
            return  # deleted but still tracked, or a dangling link
        if not S_ISREG(status.st_mode):
            return
        if manifest:
            found.manifests[rel] = Path(path)
        if kind is None or excluded(rel, name, False) or path in seen:
            return
        seen.add(path)
        scope = path[len(base) :] if path.startswith(base) else rel
        found.targets.append(Target(path, rel, scope, kind, (status.st_size, status.st_mtime_ns)))

    add(tracked)
    try:
        listed, _ = untracked.communicate(timeout=60)
    except subprocess.SubprocessError:
        untracked.kill()
        untracked.wait()
        listed = None
    if listed is None or untracked.returncode != 0:
        found.notices.append(Notice(str(folder), "git could not list untracked files; only files git tracks were scanned", level="warning"))
    else:
        add(listed)
    found.manifests = dict(sorted(found.manifests.items()))  # in path order, whichever listing named them
    return True


class _Walker:
    def __init__(self, base: str, rel_of, ignorer: _Ignorer, excluded, found: Discovery, seen: set[str]) -> None:
        self.base = base.rstrip("/") + "/"
        self.rel_of = rel_of
        self.ignorer = ignorer
        self.excluded = excluded
        self.found = found
        self.seen = seen

    def walk(self, folder: str, real: str, active: tuple[str, ...]) -> None:
        found = self.found
        pushed = self.ignorer.push(folder)
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as error:
            found.notices.append(Notice(self.rel_of(folder), f"cannot list folder: {error.strerror}", level="warning"))
            entries = []
        for entry in entries:
            name = entry.name
            path = entry.path
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                is_link, is_dir, is_file = False, False, False
            if is_link and not is_dir and not is_file:
                found.notices.append(Notice(self.rel_of(path), "broken or looping symlink; skipped", level="note"))
                continue
            if is_dir:
                rel = self.rel_of(path)
                if self.excluded(rel, name, True) or self.ignorer.ignored(path, True):
                    continue
                child_real = os.path.realpath(path) if is_link else f"{real}/{name}"
                if child_real in active:
                    found.notices.append(Notice(rel, "symlink loop: folder links back to one of its parents; skipped", level="warning"))
                    continue
                self.walk(path, child_real, active + (child_real,))
            elif is_file:
                kind = kind_of(name)
                manifest = _is_manifest(name)
                if kind is None and not manifest:
                    continue
                rel = self.rel_of(path)
                if self.ignorer.ignored(path, False):
                    continue
                if manifest:
                    found.manifests[rel] = Path(path)
                if kind is None or self.excluded(rel, name, False):
                    continue
                key = os.path.realpath(path) if is_link else path
                if key in self.seen:
                    continue
                self.seen.add(key)
                scope = path[len(self.base) :] if path.startswith(self.base) else rel
                found.targets.append(Target(path, rel, scope, kind))
        if pushed:
            self.ignorer.specs.pop()
