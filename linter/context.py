"""What a rule sees of one file, and how it reports.

Rules never compute columns, levels, fingerprints or suppression: they hand a node (or a
byte range) and a message to `report`, and the engine stamps the rest.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING

from linter import ts
from linter.finding import Finding, Fix, Location, TextEdit
from linter.source import SourceFile

if TYPE_CHECKING:
    from linter.config import Config
    from linter.registry import Rule

_SYMBOL_NODES = {
    "function_declaration": "name",
    "generator_function_declaration": "name",
    "class_declaration": "name",
    "abstract_class_declaration": "name",
    "method_definition": "name",
    "variable_declarator": "name",
    "pair": "key",
    "public_field_definition": "name",
}


# The node types rules ask for most: collected together on the first `find`, in one pass.
# Identifiers and member expressions are far more numerous and asked for rarely; they are
# collected only when asked for.
_INDEXED_TYPES = (
    "call_expression", "new_expression", "variable_declarator", "assignment_expression",
    "augmented_assignment_expression", "binary_expression", "ternary_expression", "if_statement",
    "for_in_statement", "import_statement", "export_statement", "function_declaration",
    "generator_function_declaration", "function_expression", "generator_function", "arrow_function",
    "method_definition", "class_declaration", "public_field_definition", "pair", "object", "string",
    "template_string",
)
_INDEXED_SET = frozenset(_INDEXED_TYPES)


class Context:
    """Reporting shared by every kind of file."""

    def __init__(self, source: SourceFile, config: "Config") -> None:
        self.source = source
        self.path = source.path
        self.config = config
        self.rule: Rule | None = None
        self.options: dict = {}
        self.findings: list[Finding] = []
        self.facts: dict = {}

    def span_location(self, start_byte: int, end_byte: int, *, symbol: str = "", note: str = "") -> Location:
        source = self.source
        end_byte = max(end_byte, start_byte)
        start_line, start_column, start_utf16 = source.columns(start_byte)
        end_line, end_column, end_utf16 = source.columns(end_byte)
        snippet = source.data[start_byte:end_byte].decode("utf-8", errors="replace")
        return Location(
            path=source.path,
            start_line=start_line,
            start_column=start_column,
            end_line=end_line,
            end_column=end_column,
            start_utf16=start_utf16,
            end_utf16=end_utf16,
            start_byte=start_byte,
            end_byte=end_byte,
            snippet=snippet[:200],
            symbol=symbol,
            note=note,
        )

    def line_location(self, line: int, start: int, end: int) -> Location:
        """A Location from 1-based `line` and 0-based code point columns on it."""
        text = self.source.line_bytes(line).decode("utf-8", errors="replace")
        base = self.source.line_starts[line - 1]
        return self.span_location(base + len(text[:start].encode("utf-8")), base + len(text[:end].encode("utf-8")))

    def location(self, target, note: str = "") -> Location:
        if isinstance(target, Location):
            return target
        if isinstance(target, tuple):
            return self.span_location(*target, note=note)
        return self.span_location(target.start_byte, target.end_byte, symbol=self.enclosing_symbol(target), note=note)

    def enclosing_symbol(self, node) -> str:
        names = []
        for parent in ts.ancestors(node):
            field = _SYMBOL_NODES.get(parent.type)
            if field:
                name = parent.child_by_field_name(field)
                if name is not None:
                    names.append(ts.text(name))
        return ".".join(reversed(names))

    def edit(self, target, replacement: str) -> TextEdit:
        """Replace a node or (start_byte, end_byte) range."""
        start, end = (target.start_byte, target.end_byte) if not isinstance(target, tuple) else target
        return TextEdit(start, end, replacement, self.span_location(start, end))

    def report(
        self,
        target,
        message: str,
        *,
        level: str | None = None,
        fix: Fix | None = None,
        related: tuple = (),
    ) -> Finding:
        assert self.rule is not None, "report() outside a rule"
        location = self.location(target)
        # GitHub's line hash needs a pass over the file: paid only for findings, never for the
        # locations that facts carry (project findings get theirs from the SARIF view).
        location = replace(location, line_hash=self.source.github_line_hashes.get(location.start_line, ""))
        finding = Finding(
            code=self.rule.code,
            message=message,
            location=location,
            level=level or self.rule.level,
            related=tuple(self.location(item) if not isinstance(item, Location) else item for item in related),
            fix=fix,
        )
        self.findings.append(finding)
        return finding


class FileContext(Context):
    """A TypeScript/JavaScript file, parsed once; every rule shares the tree and the query results."""

    def __init__(self, source: SourceFile, config: "Config", tree: ts.Tree, lang: str) -> None:
        super().__init__(source, config)
        self.tree = tree
        self.root = tree.root_node
        self.lang = lang
        self._captures: dict[str, dict] = {}
        self._nodes: dict[str, list[ts.Node]] = {}  # type -> nodes in document order
        self._unordered: dict[str, list[ts.Node]] = {}  # collected, not yet asked for
        self._collected: set[str] = set()
        self._merged: dict[tuple[str, ...], list[ts.Node]] = {}  # `find` of several types, shared
        self._starts: dict[tuple[str, ...], list[int]] = {}  # start bytes of a `find` result, for `find_in`

    def find(self, *types: str) -> list[ts.Node]:
        """Every node of these types in the file, in document order (a shared list: do not
        modify it). Rules and facilities use
        this instead of walking the tree themselves: the first request collects every type in
        `_INDEXED_TYPES` in one pass in C, rarer ones are collected on demand, and the result
        is shared by every rule. A type's nodes are sorted when first asked for."""
        ordered = self._nodes
        missing = [kind for kind in types if kind not in ordered and kind not in self._collected]
        if missing:
            wanted = tuple(dict.fromkeys(missing + [kind for kind in _INDEXED_TYPES if kind not in self._collected])) \
                if any(kind in _INDEXED_SET for kind in missing) else tuple(missing)
            self._unordered.update(ts.nodes_by_type(self.root, self.lang, wanted))
            self._collected.update(wanted)
        for kind in types:
            if kind not in ordered:
                nodes = self._unordered.pop(kind, [])
                ts.sort_in_document_order(nodes)  # the query cursor does not return them in order
                ordered[kind] = nodes
        if len(types) == 1:
            return ordered[types[0]]
        found = self._merged.get(types)
        if found is None:
            found = self._merged[types] = [node for kind in types for node in ordered[kind]]
            ts.sort_in_document_order(found)
        return found

    def find_in(self, node: ts.Node, *types: str) -> list[ts.Node]:
        """`find(*types)` within `node` (itself included): a function body's calls, say. Cut
        from the shared index by binary search, instead of walking the subtree in Python."""
        nodes = self.find(*types)
        starts = self._starts.get(types)
        if starts is None:
            starts = self._starts[types] = [found.start_byte for found in nodes]
        low = bisect_left(starts, node.start_byte)
        high = bisect_left(starts, node.end_byte, low)
        end = node.end_byte
        return [found for found in nodes[low:high] if found.end_byte <= end]

    def captures(self, query: str) -> dict[str, list[ts.Node]]:
        if query not in self._captures:
            self._captures[query] = ts.captures(query, self.lang, self.root)
        return self._captures[query]

    @cached_property
    def module_facts(self) -> dict:
        """This file's imports and exports (see `linter.project.extract_module_facts`)."""
        from linter.project import extract_module_facts

        return extract_module_facts(self)

    @cached_property
    def semantics(self):
        from linter.semantics import FileSemantics

        return FileSemantics(self)

    def release(self) -> None:
        """Forget the semantics object, which refers back to this context: without the cycle,
        the file's tree and node index are freed as soon as the analysis lets go of them,
        instead of waiting for the cycle collector."""
        self.__dict__.pop("semantics", None)
