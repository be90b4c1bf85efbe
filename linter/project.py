"""The project index: cross-file facts built once per scan from what the workers returned.

Phase 1 extracts each file's imports and exports as plain data (`extract_module_facts`:
`import`, `import x = require()`, `require()`, dynamic `import()`, re-exports); phase 2
resolves them into a networkx DiGraph of modules, importer -> imported, each edge carrying
the names it binds (`[[imported, local]]`, `*` for a whole module), its `kind`, `reexport`
and `type_only`. Resolution follows Node and TypeScript: relative paths with or without
extension, `index` files, `.js` specifiers that name `.ts` sources, the nearest
`tsconfig.json`/`jsconfig.json` (`baseUrl`, `paths` with the longest matching prefix,
`extends` chains, solution-style configs that only list `references`), `package.json`
`imports` (`#x`), and workspace packages by their `package.json` name through `exports`,
`source`/`types`/`module`/`main` (built `dist/` paths mapped back to `src/`) or `src/index`.
Project rules ask the index; they never re-read source files.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from linter import ts
from linter.finding import DEFERRED, Finding, Location
from linter.semantics import call_arguments, member_path

if TYPE_CHECKING:
    import networkx as nx

    from linter.config import Config
    from linter.context import FileContext
    from linter.registry import Rule

_RESOLVE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".d.ts")
_JS_TO_TS = {".js": (".ts", ".tsx", ".d.ts"), ".jsx": (".tsx",), ".mjs": (".mts", ".d.mts"), ".cjs": (".cts", ".d.cts")}


# --- phase 1: what a file imports and exports -------------------------------------------------


def _import_names(node) -> list[list[str]]:
    """What an import statement binds, read from its clause (`import d, { a as b } from`,
    `import * as ns from`, `import x = require()`) without walking the whole statement."""
    names: list[list[str]] = []
    for clause in node.named_children:
        if clause.type not in ("import_clause", "import_require_clause"):
            continue
        for child in clause.named_children:
            if child.type == "identifier":
                names.append(["default" if clause.type == "import_clause" else "*", ts.text(child)])
            elif child.type == "namespace_import":
                ident = next((c for c in child.named_children if c.type == "identifier"), None)
                names.append(["*", ts.text(ident)])
            elif child.type == "named_imports":
                for specifier in child.named_children:
                    if specifier.type == "import_specifier":
                        name = specifier.child_by_field_name("name")
                        alias = specifier.child_by_field_name("alias") or name
                        names.append([ts.string_value(name) or ts.text(name), ts.text(alias)])
    return names


def declared_names(declaration) -> list[str]:
    """Names an exported declaration binds (`export const a = …, { b } = …`, `export function f`,
    `export class C`), without walking into function bodies."""
    if declaration is None:
        return []
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        names = []
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                names.append(ts.text(name))
            elif name is not None and name.type in ("object_pattern", "array_pattern"):
                names.extend(ts.text(n) for n in ts.walk(name) if n.type in ("shorthand_property_identifier_pattern", "identifier"))
        return names
    name = declaration.child_by_field_name("name")
    return [ts.text(name)] if name is not None and name.type in ("identifier", "type_identifier") else []



def _type_only(node) -> bool:
    """`import type {…}` / `export type {…} from`: no value crosses the edge at run time."""
    return any(child.type == "type" for child in node.children)


def _required_names(call) -> list[list[str]]:
    """What a `require(…)` / `import(…)` call binds: `const m = require(x)` -> [["*", "m"]],
    `const { a, b: c } = require(x)` -> [["a", "a"], ["b", "c"]], `const s = require(x).s` -> [["s", "s"]]."""
    node, picked = call, None
    while node.parent is not None and node.parent.type in ("await_expression", "parenthesized_expression", "as_expression", "non_null_expression"):
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == node:
        picked = ts.text(parent.child_by_field_name("property"))
        node = parent
        parent = node.parent
    if parent is None or parent.type != "variable_declarator" or parent.child_by_field_name("value") != node:
        return [[picked, ""]] if picked else []
    pattern = parent.child_by_field_name("name")
    if pattern is not None and pattern.type == "identifier":
        return [[picked or "*", ts.text(pattern)]]
    if pattern is not None and pattern.type == "object_pattern" and picked is None:
        from linter.semantics import destructured

        return [[key, binding] for binding, key, _ in destructured(pattern)]
    return [[picked, ""]] if picked else []


_LOADER_CALL = re.compile(rb"\b(require|import)\s*\(")
_EXPORTS_WORD = re.compile(rb"\bexports\b")


def _module_statements(ctx: "FileContext") -> list:
    """The nodes that can import or export, in document order. `import`/`export` statements
    are top-level by the language's rules (`declare module` blocks describe other modules),
    so those come from the root's children without searching. `require()`/`import()` calls
    and `exports` assignments can sit anywhere: they are found from where their words occur
    in the bytes, so the tree is never searched as a whole."""
    nodes = [node for node in ctx.root.named_children if node.type in ("import_statement", "export_statement")]
    data = ctx.source.data
    root = ctx.root
    found = False
    # substring tests first (memchr speed): most files contain none of these words. `import\n(`
    # would slip past this test; formatters never write it.
    loaders = b"require" in data or b"import(" in data or b"import (" in data
    for match in _LOADER_CALL.finditer(data) if loaders else ():
        callee = root.named_descendant_for_byte_range(match.start(1), match.end(1))
        call = callee.parent if callee is not None else None
        if callee is not None and callee.type in ("identifier", "import") and call is not None and call.type == "call_expression" \
                and call.child_by_field_name("function") == callee:
            nodes.append(call)
            found = True
    for match in _EXPORTS_WORD.finditer(data) if b"exports" in data else ():
        node = root.named_descendant_for_byte_range(match.start(), match.end())
        while node is not None and node.parent is not None and node.parent.type == "member_expression":
            node = node.parent  # `exports.x`, `module.exports`, `module.exports.x`: the caller checks which
        parent = node.parent if node is not None else None
        if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
            nodes.append(parent)
            found = True
    if found:
        ts.sort_in_document_order(nodes)
    return nodes


def extract_module_facts(ctx: "FileContext") -> dict:
    """Imports as {"spec", "names": [[imported, local]], "line", "kind"}; `*` = namespace or
    whole module (`import * as ns`, `const m = require(…)`, `export * from`). `kind` is
    `import`, `require`, `dynamic` or `reexport` (then `reexport: True` too); `type_only`
    marks `import type`. Exports are the names other modules can import (`default` included)."""
    imports: list[dict] = []
    exports: list[str] = []
    for node in _module_statements(ctx):
        kind = node.type
        line = node.start_point[0] + 1
        if kind == "import_statement":
            source = node.child_by_field_name("source")
            if source is None:  # `import x = require('y')`
                clause = next((c for c in node.named_children if c.type == "import_require_clause"), None)
                source = clause.child_by_field_name("source") if clause is not None else None
            spec = ts.string_value(source)
            if spec is None:
                continue
            entry = {"spec": spec, "names": _import_names(node), "line": line, "kind": "import" if node.child_by_field_name("source") else "require"}
            if _type_only(node):
                entry["type_only"] = True
            imports.append(entry)
        elif kind == "export_statement":
            source = node.child_by_field_name("source")
            if source is not None:
                spec = ts.string_value(source)
                if spec is None:
                    continue
                names = [[ts.text(c.child_by_field_name("name")), ts.text(c.child_by_field_name("alias") or c.child_by_field_name("name"))]
                         for c in ts.walk(node) if c.type == "export_specifier"]
                namespace = next((c for c in node.named_children if c.type == "namespace_export"), None)
                if namespace is not None:  # export * as ns from './x'
                    alias = next((ts.string_value(c) or ts.text(c) for c in namespace.named_children), "")
                    names = [["*", alias]]
                entry = {"spec": spec, "names": names or [["*", "*"]], "line": line, "kind": "reexport", "reexport": True}
                if _type_only(node):
                    entry["type_only"] = True
                imports.append(entry)
                exports.extend(alias for _, alias in names if alias != "*")
                continue
            exports.extend(declared_names(node.child_by_field_name("declaration")))
            if any(c.type == "default" for c in node.children):
                exports.append("default")
            for clause in node.named_children:
                if clause.type == "export_clause":
                    exports.extend(
                        ts.text(c.child_by_field_name("alias") or c.child_by_field_name("name"))
                        for c in clause.named_children if c.type == "export_specifier"
                    )
        elif kind == "call_expression":
            function = node.child_by_field_name("function")
            if function is None or function.type not in ("identifier", "import") or ts.text(function) not in ("require", "import"):
                continue
            args = call_arguments(node)
            spec = ts.string_value(args[0]) if args else None
            if spec is None:
                continue
            imports.append({
                "spec": spec,
                "names": _required_names(node) or [["*", ""]],
                "line": line,
                "kind": "require" if ts.text(function) == "require" else "dynamic",
            })
        elif kind == "assignment_expression":
            left = member_path(node.child_by_field_name("left"))
            if left in ("module.exports", "exports"):
                exports.append("default")
                right = ts.unwrap(node.child_by_field_name("right"))
                if right is not None and right.type == "object":
                    from linter.semantics import object_properties

                    exports.extend(object_properties(right))
            elif left.startswith(("module.exports.", "exports.")) and left.count(".") == (2 if left.startswith("module") else 1):
                exports.append(left.rsplit(".", 1)[-1])
    return {"imports": imports, "exports": sorted(set(exports))}


# --- manifests --------------------------------------------------------------------------------


def read_jsonc(path: Path) -> dict:
    """tsconfig.json is JSON with comments and trailing commas (a BOM too, at times)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    text = re.sub(r'("(?:\\.|[^"\\\n])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S)
    text = re.sub(r'("(?:\\.|[^"\\\n])*")|,(\s*[}\]])', lambda m: m.group(1) or m.group(2), text)
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class TsConfig:
    folder: str  # POSIX, relative to the scan root
    base_url: str | None  # resolved against the config that set it
    paths: dict[str, list[str]]  # targets resolved against baseUrl, else against the config that declared `paths`
    references: list[str] = field(default_factory=list)  # referenced config files, relative to the scan root

    @cached_property
    def ranked_paths(self) -> list[tuple[str, list[str]]]:
        """`paths` patterns, the one TypeScript tries first first: exact names, then the
        longest prefix before the `*`."""
        return sorted(self.paths.items(), key=lambda item: -len(item[0].partition("*")[0]) - (1000 if "*" not in item[0] else 0))


def _extends_targets(value, folder: str, manifests: dict[str, Path], root: Path) -> list[str]:
    """Config files an `extends` names (a string or, since TS 5.0, a list) that live in the
    scanned tree: relative paths, with or without `.json`; package names (`@tsconfig/node20`)
    live in node_modules and carry no project paths."""
    out = []
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str) or not item.startswith("."):
            continue
        rel = posixpath.normpath(posixpath.join(folder, item))
        candidates = [rel] if rel.endswith(".json") else [rel + ".json", rel, posixpath.join(rel, "tsconfig.json")]
        for candidate in candidates:
            if candidate in manifests or (root / candidate).is_file():
                out.append(candidate)
                break
    return out


def _raw_tsconfig(rel: str, manifests: dict[str, Path], root: Path, depth: int = 0, seen: frozenset = frozenset()) -> dict:
    """Merged `compilerOptions` of a config and the ones it extends, with `baseUrl` made
    relative to the scan root and `paths` carrying the folder they are resolved against."""
    if depth > 16 or rel in seen:
        return {}
    absolute = manifests.get(rel) or (root / rel)
    data = read_jsonc(absolute)
    folder = posixpath.dirname(rel)
    merged: dict = {}
    for parent in _extends_targets(data.get("extends"), folder, manifests, root):
        merged.update(_raw_tsconfig(parent, manifests, root, depth + 1, seen | {rel}))
    options = data.get("compilerOptions")
    options = options if isinstance(options, dict) else {}
    if isinstance(options.get("baseUrl"), str):
        merged["baseUrl"] = posixpath.normpath(posixpath.join(folder, options["baseUrl"]))
    if isinstance(options.get("paths"), dict):
        merged["paths"] = options["paths"]
        merged["pathsFolder"] = folder
    refs = data.get("references")
    merged["references"] = [
        _reference_file(posixpath.normpath(posixpath.join(folder, ref["path"])))
        for ref in (refs if isinstance(refs, list) else [])
        if isinstance(ref, dict) and isinstance(ref.get("path"), str)
    ]
    return merged


def _reference_file(rel: str) -> str:
    return rel if rel.endswith(".json") else posixpath.join(rel, "tsconfig.json")


def load_tsconfig(rel: str, manifests: dict[str, Path], root: Path, depth: int = 0) -> TsConfig:
    """A tsconfig/jsconfig with its `extends` chain applied: the child's `compilerOptions`
    override the parent's key by key; `paths` resolve against the effective `baseUrl` when
    there is one, else against the folder of the config that declared them (TypeScript's rules)."""
    merged = _raw_tsconfig(rel, manifests, root, depth)
    base_url = merged.get("baseUrl")
    paths: dict[str, list[str]] = {}
    raw_paths = merged.get("paths") or {}
    paths_folder = base_url if base_url is not None else merged.get("pathsFolder", posixpath.dirname(rel))
    for key, targets in raw_paths.items():
        if isinstance(key, str) and isinstance(targets, list):
            paths[key] = [posixpath.normpath(posixpath.join(paths_folder, target)) for target in targets if isinstance(target, str)]
    return TsConfig(posixpath.dirname(rel), base_url, paths, merged.get("references", []))


def _pattern_match(pattern: str, spec: str) -> str | None:
    """The part of `spec` that a `paths` pattern's `*` stands for ("" for an exact match)."""
    if "*" not in pattern:
        return "" if spec == pattern else None
    prefix, _, suffix = pattern.partition("*")
    if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix) + len(suffix):
        return spec[len(prefix) : len(spec) - len(suffix)]
    return None


def _export_targets(exports, subpath: str) -> list[str]:
    """Files a package.json `exports` map names for `subpath` ("." or "./x"), in condition
    order (`types`, `import`, `require`, `default`, … as written), wildcards applied. The
    same for an `imports` map and a `#name` specifier."""
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not any(k.startswith((".", "#")) for k in exports)):
        exports = {".": exports}
    if not isinstance(exports, dict):
        return []
    entry, star = exports.get(subpath), None
    if entry is None:
        for key in sorted(exports, key=len, reverse=True):
            if "*" in key:
                star = _pattern_match(key, subpath)
                if star is not None:
                    entry = exports[key]
                    break
    out: list[str] = []

    def collect(value) -> None:
        if isinstance(value, str):
            out.append(value.replace("*", star) if star is not None else value)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    collect(entry)
    return out


# --- phase 2: the index -------------------------------------------------------------------------


@dataclass
class ProjectIndex:
    root: Path
    files: dict[str, dict] = field(default_factory=dict)  # path -> facts (rule code -> data)
    resolved: dict = field(default_factory=dict, repr=False)  # memo of resolve(): see there
    manifests: dict[str, Path] = field(default_factory=dict)
    packages: dict[str, dict] = field(default_factory=dict)  # package folder -> package.json data
    tsconfigs: dict[str, TsConfig] = field(default_factory=dict)  # folder -> the config that governs it
    workspace_names: dict[str, str] = field(default_factory=dict)  # package name -> folder
    _tsconfig_memo: dict[str, TsConfig | None] = field(default_factory=dict, repr=False)
    # (rule code, path) -> the facts the scan deferred for that file (`Rule.eager`)
    collect_later: Callable[[str, str], object] | None = field(default=None, repr=False)
    _rule_facts: dict[str, "RuleFacts"] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, results: Iterable, manifests: dict[str, Path], root: Path, collect_later: Callable[[str, str], object] | None = None,
    ) -> "ProjectIndex":
        index = cls(root=root, manifests=dict(manifests), collect_later=collect_later)
        for result in results:
            if result.facts:
                index.files[result.path] = result.facts
        configs: dict[str, dict[str, str]] = {}
        for rel, path in manifests.items():
            name = posixpath.basename(rel)
            if name == "package.json":
                index.packages[posixpath.dirname(rel)] = read_jsonc(path)
            elif name.endswith(".json") and (name.startswith("tsconfig") or name.startswith("jsconfig")):
                configs.setdefault(posixpath.dirname(rel), {})[name] = rel
        for folder, names in configs.items():
            index.tsconfigs[folder] = index._folder_config(folder, names)
        for folder, data in sorted(index.packages.items(), key=lambda item: item[0].count("/")):
            name = data.get("name")
            if isinstance(name, str) and name not in index.workspace_names:
                index.workspace_names[name] = folder
        return index

    @cached_property
    def modules(self) -> "nx.DiGraph":
        """importer -> imported, edge data: names, line, kind, reexport, type_only. Built on
        first use: resolving every import of a monorepo is the costliest part of the project
        phase, and a scan whose project rules found nothing to ask about never pays for it."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.files)
        for path, facts in self.files.items():
            for entry in facts.get("module", {}).get("imports", []):
                target = self.resolve(path, entry["spec"])
                if target is None or target == path:
                    continue
                names = [list(pair) for pair in entry["names"]]
                if graph.has_edge(path, target):  # two statements import the same module
                    data = graph[path][target]  # not `graph.edges`: that view would tie the graph into a cycle
                    data["names"] = data["names"] + [n for n in names if n not in data["names"]]
                    data["reexport"] = data.get("reexport", False) or bool(entry.get("reexport"))
                    data["type_only"] = data.get("type_only", False) and bool(entry.get("type_only"))
                    continue
                graph.add_edge(
                    path, target, names=names, line=entry["line"], kind=entry.get("kind", "import"),
                    reexport=bool(entry.get("reexport")), type_only=bool(entry.get("type_only")),
                )
        return graph

    def _folder_config(self, folder: str, names: dict[str, str]) -> TsConfig:
        """`tsconfig.json` (else `jsconfig.json`) governs its folder. A solution-style config
        (Vite's `tsconfig.json` that only lists `references`) lends the `paths` of the configs it
        references in the same folder, then of any sibling `tsconfig.*.json` that has some."""
        primary = names.get("tsconfig.json") or names.get("jsconfig.json") or sorted(names.values())[0]
        config = load_tsconfig(primary, self.manifests, self.root)
        if config.paths or config.base_url is not None:
            return config
        siblings = [ref for ref in config.references if posixpath.dirname(ref) == folder and ref in self.manifests]
        siblings += [rel for name, rel in sorted(names.items()) if rel != primary and rel not in siblings]
        for rel in siblings:
            other = load_tsconfig(rel, self.manifests, self.root)
            if other.paths or other.base_url is not None:
                return TsConfig(folder, other.base_url, other.paths, config.references)
        return config

    # -- resolution --

    def _existing(self, candidate: str) -> str | None:
        """The scanned file a path names the way Node/TypeScript would find it: as is, a `.js`
        specifier naming its `.ts` source, with an extension added, or a folder's `index`."""
        candidate = posixpath.normpath(candidate)
        if candidate.startswith("../") or candidate == "..":
            return None
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
        return self._folder_tsconfig(posixpath.dirname(path))

    def _folder_tsconfig(self, folder: str) -> TsConfig | None:
        """The nearest config at or above `folder`, memoized per folder (thousands of files
        share a few hundred folders)."""
        memo = self._tsconfig_memo
        if folder not in memo:
            if folder in self.tsconfigs:
                memo[folder] = self.tsconfigs[folder]
            else:
                memo[folder] = self._folder_tsconfig(posixpath.dirname(folder)) if folder else None
        return memo[folder]

    def resolve(self, importer: str, spec: str) -> str | None:
        """The scanned module `spec` names from `importer`, or None (a package from npm, a
        file outside the scan). Memoized: a resolution depends only on the importer's folder
        (relative specs, tsconfig, package.json) and the spec, and monorepos repeat both a lot."""
        if spec.startswith((".", "#")):
            key = (posixpath.dirname(importer), spec)
        else:  # a bare specifier resolves the same for every importer under one tsconfig
            config = self.tsconfig_for(importer)
            key = ("tsconfig", config.folder if config is not None else None, spec)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(importer, spec)
        return self.resolved[key]

    def _resolve(self, importer: str, spec: str) -> str | None:
        spec = spec.split("?", 1)[0]
        if not spec or spec.startswith(("node:", "http:", "https:", "data:")):
            return None
        if spec.startswith("."):
            return self._existing(posixpath.join(posixpath.dirname(importer), spec))
        if spec.startswith("/"):
            return None
        if spec.startswith("#"):  # package.json `imports`: subpath imports private to the package
            folder = self._package_folder(importer)
            imports = self.packages.get(folder, {}).get("imports") if folder is not None else None
            if isinstance(imports, dict):
                for target in _export_targets(imports, spec):
                    found = self._package_file(folder, target) if target.startswith(".") else None
                    if found:
                        return found
        config = self.tsconfig_for(importer)
        if config is not None:
            for pattern, targets in config.ranked_paths:
                star = _pattern_match(pattern, spec)
                if star is None:
                    continue
                for target in targets:
                    found = self._existing(target.replace("*", star, 1))
                    if found:
                        return found
            if config.base_url is not None:
                found = self._existing(posixpath.join(config.base_url, spec))
                if found:
                    return found
        return self._resolve_workspace(spec)

    def _package_folder(self, path: str) -> str | None:
        """The folder of the nearest package.json above `path`."""
        folder = posixpath.dirname(path)
        while True:
            if folder in self.packages:
                return folder
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    def _package_file(self, folder: str, target: str) -> str | None:
        """A package entry as built (`./dist/index.js`) or its source (`src/index.ts`)."""
        target = posixpath.normpath(posixpath.join(folder, target))
        found = self._existing(target)
        if found:
            return found
        inner = target[len(folder) + 1 :] if folder else target
        for built in ("dist/", "build/", "lib/", "out/", "esm/", "cjs/"):
            if inner.startswith(built):
                stem = inner[len(built) :]
                stem = re.sub(r"(\.d)?\.[cm]?[jt]sx?$", "", stem)
                for src in ("src/", ""):
                    found = self._existing(posixpath.join(folder, src + stem)) if folder else self._existing(src + stem)
                    if found:
                        return found
        return None

    def _resolve_workspace(self, spec: str) -> str | None:
        """A monorepo package imported by its `package.json` name: `exports` (subpaths,
        conditions, wildcards), then `source`/`types`/`module`/`main`, then `src/index`, `index`."""
        parts = spec.split("/")
        name_length = 2 if spec.startswith("@") else 1
        name, subpath = "/".join(parts[:name_length]), "/".join(parts[name_length:])
        folder = self.workspace_names.get(name)
        if folder is None:
            return None
        data = self.packages.get(folder, {})
        if "exports" in data:
            for target in _export_targets(data["exports"], "./" + subpath if subpath else "."):
                found = self._package_file(folder, target)
                if found:
                    return found
        if subpath:
            return (
                self._existing(posixpath.join(folder, subpath))
                or self._existing(posixpath.join(folder, "src", subpath))
                or self._package_file(folder, subpath)
            )
        for key in ("source", "types", "typings", "module", "main"):
            if isinstance(data.get(key), str):
                found = self._package_file(folder, data[key])
                if found:
                    return found
        return self._existing(posixpath.join(folder, "src/index")) or self._existing(posixpath.join(folder, "index"))

    # -- queries --

    def facts(self, code: str) -> "RuleFacts":
        """path -> facts a project rule collected in phase 1; `get` also collects deferred ones."""
        found = self._rule_facts.get(code)
        if found is None:
            found = self._rule_facts[code] = RuleFacts(code, self)
        return found

    def importers_of(self, path: str) -> set[str]:
        return set(self.modules.predecessors(path)) if path in self.modules else set()

    def import_closure(self, path: str) -> set[str]:
        """`path` and every module it reaches through imports."""
        import networkx as nx

        if path not in self.modules:
            return {path}
        return {path} | nx.descendants(self.modules, path)

    def reverse_closure(self, *paths: str) -> set[str]:
        """The `paths` and every module that reaches one of them through imports."""
        import networkx as nx

        found = set(paths)
        for path in paths:
            if path in self.modules:
                found |= nx.ancestors(self.modules, path)
        return found

    def import_names(self, importer: str, imported: str) -> list[list[str]]:
        data = self.modules.get_edge_data(importer, imported) or {}
        return data.get("names", [])


class RuleFacts(dict):
    """path -> one project rule's facts. Iterating sees the files phase 1 collected; `get`
    also answers for a file whose collection phase 1 deferred (`Rule.eager`), collecting it
    on first use: a rule that follows a server through its importers reads the few files it
    reaches, not every file of the project."""

    def __init__(self, code: str, index: "ProjectIndex") -> None:
        super().__init__()
        self.deferred: set[str] = set()
        for path, facts in index.files.items():
            if code not in facts:
                continue
            if facts[code] is DEFERRED:
                self.deferred.add(path)
            else:
                self[path] = facts[code]
        self.code = code
        # The index's callable, not the index: the index holds this mapping, and a cycle
        # between them would leave every file's facts to the cycle collector after the scan.
        self.collect_later = index.collect_later

    def get(self, path: str, default=None):
        if path in self.deferred:
            self.deferred.discard(path)
            collect = self.collect_later
            facts = collect(self.code, path) if collect is not None else None
            if facts:
                self[path] = facts
        return super().get(path, default)


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
