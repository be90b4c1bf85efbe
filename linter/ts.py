"""The only module that touches the tree-sitter API.

Parsers and compiled queries are made once per process. Queries live in
`grammars/typescript/<name>.scm` and are compiled for both the TypeScript and the TSX
grammar; capture names are the contract between a query file and the rules.
"""

from __future__ import annotations

from functools import lru_cache
from operator import attrgetter
from typing import Iterator

import tree_sitter
import tree_sitter_typescript

from linter.resources import grammars_dir

Node = tree_sitter.Node
Tree = tree_sitter.Tree

TS_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


@lru_cache(maxsize=None)
def language(name: str) -> tree_sitter.Language:
    if name == "tsx":
        return tree_sitter.Language(tree_sitter_typescript.language_tsx())
    return tree_sitter.Language(tree_sitter_typescript.language_typescript())


def language_for(path: str) -> str:
    """`.ts/.mts/.cts` need the TypeScript grammar (`<T>x` casts); everything else may hold JSX."""
    return "typescript" if path.endswith((".ts", ".mts", ".cts")) else "tsx"


@lru_cache(maxsize=None)
def parser(name: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(language(name))


def parse(data: bytes, lang: str, old_tree: Tree | None = None) -> Tree:
    if old_tree is not None:
        return parser(lang).parse(data, old_tree)
    return parser(lang).parse(data)


def query_names() -> list[str]:
    return sorted(p.stem for p in (grammars_dir() / "typescript").glob("*.scm"))


@lru_cache(maxsize=None)
def query(name: str, lang: str) -> tree_sitter.Query:
    source = (grammars_dir() / "typescript" / f"{name}.scm").read_text(encoding="utf-8")
    return tree_sitter.Query(language(lang), source)


def captures(name: str, lang: str, node: Node) -> dict[str, list[Node]]:
    return tree_sitter.QueryCursor(query(name, lang)).captures(node)


def is_node_type(name: str, lang: str) -> bool:
    return language(lang).id_for_node_kind(name, True) is not None


@lru_cache(maxsize=None)
def _type_query(types: tuple[str, ...], lang: str) -> tree_sitter.Query | None:
    known = [name for name in types if is_node_type(name, lang)]
    return tree_sitter.Query(language(lang), " ".join(f"({name}) @{name}" for name in known)) if known else None


def nodes_by_type(node: Node, lang: str, types: tuple[str, ...]) -> dict[str, list[Node]]:
    """Every descendant of `node` (itself included) of each of `types`, found by one compiled
    query: the traversal runs in C and only the wanted nodes become Python objects. The lists
    come in the cursor's order, not the document's: sort the ones you use (`sort_in_document_order`).
    Types the grammar does not know, or with no node, are missing from the result."""
    query = _type_query(types, lang)
    return tree_sitter.QueryCursor(query).captures(node) if query is not None else {}


_START = attrgetter("start_byte")
_END = attrgetter("end_byte")


def sort_in_document_order(nodes: list[Node]) -> None:
    """Sort in place by start, an enclosing node before the nodes it starts with: two stable
    sorts on C-level keys, about twice as fast as one sort on a Python key function."""
    nodes.sort(key=_END, reverse=True)
    nodes.sort(key=_START)


def text(node: Node | None) -> str:
    if node is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def walk(node: Node) -> Iterator[Node]:
    """Every named descendant of `node`, depth first, iteratively (deep trees are common).
    For a small subtree only: to visit a whole file use `FileContext.find`."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            if cursor.node.is_named:
                yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


def first_error(node: Node) -> Node | None:
    for child in walk(node):
        if child.type == "ERROR" or child.is_missing:
            return child
    return None


def string_value(node: Node | None) -> str | None:
    """The value of a string literal or a substitution-free template; None for anything else."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(part) for part in node.named_children if part.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string":
        if any(child.type == "template_substitution" for child in node.named_children):
            return None
        raw = text(node)
        return raw[1:-1]
    return None


def unwrap(node: Node | None) -> Node | None:
    """Look through parentheses and type-only wrappers (`x as T`, `x!`, `x satisfies T`)."""
    while node is not None and node.type in (
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "type_assertion",
    ):
        inner = node.named_children[0] if node.type != "type_assertion" else node.named_children[-1]
        if node.type == "parenthesized_expression":
            inner = node.named_children[0] if node.named_children else None
        node = inner
    return node


def ancestors(node: Node) -> Iterator[Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent
