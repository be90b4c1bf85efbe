"""The project index: cross-file facts built once per scan from what the workers returned.

Phase 1 extracts each file's imports and exports as plain data (`extract_module_facts`);
phase 2 resolves them into a networkx DiGraph of modules (relative paths, `index` files,
`.js` specifiers that name `.ts` sources, `tsconfig.json` `baseUrl`/`paths` with
`extends`, workspace packages by their `package.json` name). Project rules ask the index;
they never re-read source files.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import networkx as nx

from linter import ts
from linter.finding import Finding, Location
from linter.semantics import call_arguments, member_path

if TYPE_CHECKING:
    from linter.config import Config
    from linter.context import FileContext
    from linter.registry import Rule

_RESOLVE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".d.ts")
_JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}


# --- phase 1: what a file imports and exports -------------------------------------------------


def extract_module_facts(ctx: "FileContext") -> dict:
    """Imports as {"spec", "names": [[imported, local]], "line"}; `*` = namespace/whole module."""
    imports: list[dict] = []
    exports: list[str] = []
    for node in ctx.find("import_statement", "export_statement", "call_expression", "assignment_expression"):
        kind = node.type
        if kind == "import_statement":
            spec = ts.string_value(node.child_by_field_name("source"))
            if spec is None:
                continue
            names: list[list[str]] = []
            for child in ts.walk(node):
                if child.type == "import_specifier":
                    name = child.child_by_field_name("name")
                    alias = child.child_by_field_name("alias") or name
                    names.append([ts.text(name), ts.text(alias)])
                elif child.type == "namespace_import":
                    ident = next((c for c in child.named_children if c.type == "identifier"), None)
                    names.append(["*", ts.text(ident)])
                elif child.type == "identifier" and child.parent is not None and child.parent.type == "import_clause":
                    names.append(["default", ts.text(child)])
            imports.append({"spec": spec, "names": names, "line": node.start_point[0] + 1})
        elif kind == "export_statement":
            source = node.child_by_field_name("source")
            if source is not None:
                spec = ts.string_value(source)
                names = [[ts.text(c.child_by_field_name("name")), ts.text(c.child_by_field_name("alias") or c.child_by_field_name("name"))]
                         for c in ts.walk(node) if c.type == "export_specifier"]
                imports.append({"spec": spec, "names": names or [["*", "*"]], "line": node.start_point[0] + 1, "reexport": True})
                exports.extend(alias for _, alias in names)
                continue
            declaration = node.child_by_field_name("declaration")
            if declaration is not None:
                for child in ts.walk(declaration):
                    if child.type in ("variable_declarator", "function_declaration", "class_declaration") and child.parent is not None:
                        name = child.child_by_field_name("name")
                        if name is not None and name.type == "identifier":
                            exports.append(ts.text(name))
            elif any(c.type == "default" for c in node.children):
                exports.append("default")
            for child in ts.walk(node):
                if child.type == "export_specifier":
                    exports.append(ts.text(child.child_by_field_name("alias") or child.child_by_field_name("name")))
        elif kind == "call_expression":
            function = node.child_by_field_name("function")
            if function is None or ts.text(function) not in ("require", "import"):
                continue
            args = call_arguments(node)
            spec = ts.string_value(args[0]) if args else None
            if spec is None:
                continue
            names = []
            declarator = node.parent
            while declarator is not None and declarator.type in ("await_expression", "parenthesized_expression", "member_expression", "call_expression"):
                declarator = declarator.parent
            if declarator is not None and declarator.type == "variable_declarator":
                pattern = declarator.child_by_field_name("name")
                if pattern is not None and pattern.type == "identifier":
                    names.append(["*", ts.text(pattern)])
                elif pattern is not None and pattern.type == "object_pattern":
                    from linter.semantics import destructured

                    names.extend([key, binding] for binding, key, _ in destructured(pattern))
            imports.append({"spec": spec, "names": names or [["*", ""]], "line": node.start_point[0] + 1})
        elif kind == "assignment_expression":
            left = member_path(node.child_by_field_name("left"))
            if left in ("module.exports", "exports") or left.startswith(("module.exports.", "exports.")):
                exports.append(left.rsplit(".", 1)[-1] if left.count(".") >= (2 if left.startswith("module") else 1) else "default")
    return {"imports": imports, "exports": sorted(set(exports))}


# --- manifests --------------------------------------------------------------------------------


def read_jsonc(path: Path) -> dict:
    """tsconfig.json is JSON with comments and trailing commas."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class TsConfig:
    folder: str  # POSIX, relative to the scan root
    base_url: str | None
    paths: dict[str, list[str]]


def load_tsconfig(rel: str, manifests: dict[str, Path], root: Path, depth: int = 0) -> TsConfig:
    absolute = manifests.get(rel) or (root / rel)
    data = read_jsonc(absolute)
    folder = posixpath.dirname(rel)
    base_url, paths, paths_folder = None, {}, folder
    extends = data.get("extends")
    if isinstance(extends, str) and extends.startswith(".") and depth < 8:
        parent_rel = posixpath.normpath(posixpath.join(folder, extends))
        if not parent_rel.endswith(".json"):
            parent_rel += ".json"
        parent = load_tsconfig(parent_rel, manifests, root, depth + 1)
        base_url, paths = parent.base_url, dict(parent.paths)
    options = data.get("compilerOptions") or {}
    if isinstance(options.get("baseUrl"), str):
        base_url = posixpath.normpath(posixpath.join(folder, options["baseUrl"]))
    if isinstance(options.get("paths"), dict):
        # `paths` resolve against baseUrl when set, else against the file that declares them
        paths_folder = base_url if isinstance(options.get("baseUrl"), str) else folder
        paths = {
            key: [posixpath.normpath(posixpath.join(paths_folder, target)) for target in targets if isinstance(target, str)]
            for key, targets in options["paths"].items()
            if isinstance(targets, list)
        }
    return TsConfig(folder, base_url, paths)


# --- phase 2: the index -------------------------------------------------------------------------


@dataclass
class ProjectIndex:
    root: Path
    files: dict[str, dict] = field(default_factory=dict)  # path -> facts (rule code -> data)
    modules: nx.DiGraph = field(default_factory=nx.DiGraph)  # importer -> imported, edge data: names
    manifests: dict[str, Path] = field(default_factory=dict)
    packages: dict[str, dict] = field(default_factory=dict)  # package folder -> package.json data
    tsconfigs: dict[str, TsConfig] = field(default_factory=dict)

    @classmethod
    def build(cls, results: Iterable, manifests: dict[str, Path], root: Path) -> "ProjectIndex":
        index = cls(root=root, manifests=dict(manifests))
        for result in results:
            if result.facts:
                index.files[result.path] = result.facts
        for rel, path in manifests.items():
            name = posixpath.basename(rel)
            if name == "package.json":
                index.packages[posixpath.dirname(rel)] = read_jsonc(path)
            elif name.startswith("tsconfig") and name.endswith(".json") and name == "tsconfig.json" or name == "jsconfig.json":
                index.tsconfigs[posixpath.dirname(rel)] = load_tsconfig(rel, manifests, root)
        index._workspace_names = {
            data.get("name"): folder for folder, data in index.packages.items() if isinstance(data.get("name"), str)
        }
        index.modules.add_nodes_from(index.files)
        for path, facts in index.files.items():
            for entry in facts.get("module", {}).get("imports", []):
                target = index.resolve(path, entry["spec"])
                if target is not None and target != path:
                    index.modules.add_edge(path, target, names=entry["names"], line=entry["line"])
        return index

    # -- resolution --

    def _existing(self, candidate: str) -> str | None:
        candidate = posixpath.normpath(candidate)
        files = self.files
        if candidate in files:
            return candidate
        stem, ext = posixpath.splitext(candidate)
        for replacement in _JS_TO_TS.get(ext, ()):
            if stem + replacement in files:
                return stem + replacement
        for ext in _RESOLVE_EXTENSIONS:
            if candidate + ext in files:
                return candidate + ext
        for ext in _RESOLVE_EXTENSIONS:
            if f"{candidate}/index{ext}" in files:
                return f"{candidate}/index{ext}"
        return None

    def tsconfig_for(self, path: str) -> TsConfig | None:
        folder = posixpath.dirname(path)
        while True:
            if folder in self.tsconfigs:
                return self.tsconfigs[folder]
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    def resolve(self, importer: str, spec: str) -> str | None:
        if spec.startswith("."):
            return self._existing(posixpath.join(posixpath.dirname(importer), spec))
        config = self.tsconfig_for(importer)
        if config is not None:
            for pattern, targets in config.paths.items():
                if "*" in pattern:
                    prefix, _, suffix = pattern.partition("*")
                    if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix) + len(suffix):
                        middle = spec[len(prefix) : len(spec) - len(suffix) if suffix else None]
                        for target in targets:
                            found = self._existing(target.replace("*", middle, 1))
                            if found:
                                return found
                elif spec == pattern:
                    for target in targets:
                        found = self._existing(target)
                        if found:
                            return found
            if config.base_url is not None:
                found = self._existing(posixpath.join(config.base_url, spec))
                if found:
                    return found
        return self._resolve_workspace(spec)

    def _resolve_workspace(self, spec: str) -> str | None:
        parts = spec.split("/")
        name_length = 2 if spec.startswith("@") else 1
        name, subpath = "/".join(parts[:name_length]), "/".join(parts[name_length:])
        folder = getattr(self, "_workspace_names", {}).get(name)
        if folder is None:
            return None
        base = posixpath.join(folder, subpath) if folder else subpath
        if subpath:
            return self._existing(base) or self._existing(posixpath.join(folder, "src", subpath))
        data = self.packages.get(folder, {})
        for key in ("source", "types", "module", "main"):
            if isinstance(data.get(key), str):
                found = self._existing(posixpath.join(folder, data[key]))
                if found:
                    return found
        return self._existing(posixpath.join(folder, "src/index")) or self._existing(posixpath.join(folder, "index"))

    # -- queries --

    def facts(self, code: str) -> dict[str, object]:
        """path -> facts a project rule collected in phase 1."""
        return {path: facts[code] for path, facts in self.files.items() if code in facts}

    def importers_of(self, path: str) -> set[str]:
        return set(self.modules.predecessors(path)) if path in self.modules else set()

    def import_closure(self, path: str) -> set[str]:
        """`path` and every module it reaches through imports."""
        if path not in self.modules:
            return {path}
        return {path} | nx.descendants(self.modules, path)

    def reverse_closure(self, path: str) -> set[str]:
        """`path` and every module that reaches it through imports."""
        if path not in self.modules:
            return {path}
        return {path} | nx.ancestors(self.modules, path)

    def import_names(self, importer: str, imported: str) -> list[list[str]]:
        data = self.modules.get_edge_data(importer, imported) or {}
        return data.get("names", [])


class ProjectContext:
    """What a project rule sees: the index, and a way to report on locations from facts."""

    def __init__(self, index: ProjectIndex, config: "Config", rule: "Rule") -> None:
        self.index = index
        self.config = config
        self.rule = rule
        self.options = config.options_for(rule)
        self.findings: list[Finding] = []

    def report(self, location: Location, message: str, *, level: str | None = None, related: tuple[Location, ...] = ()) -> Finding:
        finding = Finding(self.rule.code, message, location, level or self.rule.level, tuple(related))
        self.findings.append(finding)
        return finding
