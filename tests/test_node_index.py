"""The shared node index: `find` returns what a walk of the whole tree would, in the same
order, and `find_in` what a walk of one subtree would."""

from __future__ import annotations

from linter import ts
from linter.config import Config
from linter.context import FileContext
from linter.source import SourceFile

CODE = b"""
import { make } from './make';
const handler = async (req) => {
  const a = make()(req.body)('x');          // three calls sharing a start byte
  if (a) { log(`${fn(a)}`, { nested: { deep: call(1) } }); }
  return () => inner(req.query);
};
export function other() { return outside(); }
class Box { method() { return this.go(); } }
"""


def _context(data: bytes = CODE) -> FileContext:
    tree = ts.parse(data, "typescript")
    return FileContext(SourceFile("src/a.ts", data), Config(), tree, "typescript")


def _walked(node, *types) -> list[tuple[int, int, str]]:
    return [(n.start_byte, n.end_byte, n.type) for n in ts.walk(node) if n.type in types]


def _spans(nodes) -> list[tuple[int, int, str]]:
    return [(n.start_byte, n.end_byte, n.type) for n in nodes]


def test_find_returns_what_a_walk_returns_in_the_same_order() -> None:
    ctx = _context()
    for types in (("call_expression",), ("call_expression", "arrow_function", "method_definition"),
                  ("member_expression",), ("identifier", "string"), ("for_in_statement",), ("not_a_node_type",)):
        assert _spans(ctx.find(*types)) == _walked(ctx.root, *types), types
    calls = _spans(ctx.find("call_expression"))
    assert len(calls) == 9 and calls[0][0] == calls[1][0] == calls[2][0]  # outermost first


def test_find_in_returns_what_a_walk_of_the_subtree_returns() -> None:
    ctx = _context()
    handler = next(n for n in ctx.find("arrow_function") if n.parent.type == "variable_declarator")
    for types in (("call_expression",), ("call_expression", "member_expression"), ("arrow_function",)):
        assert _spans(ctx.find_in(handler, *types)) == _walked(handler, *types), types
    names = [n.child_by_field_name("function").text for n in ctx.find_in(handler, "call_expression")]
    assert b"outside" not in names and b"inner" in names


def test_find_results_are_shared_not_recomputed() -> None:
    ctx = _context()
    assert ctx.find("call_expression", "new_expression") is ctx.find("call_expression", "new_expression")


def test_analysing_a_file_leaves_no_reference_cycle_behind() -> None:
    """Every rule runs on a file that wakes most of them; afterwards refcounting alone must
    have freed the file's context (and with it the tree and node index): the cycle
    collector finds nothing of it."""
    import gc

    from linter.engine import analyze_source, selected_rules

    config = Config()
    data = CODE + b"""
import { Server } from 'socket.io';
const io = new Server(app, { cors: { origin: true, credentials: true } });
const secret = process.env.JWT_SECRET || 'dev-secret';
console.log('user', req.user);
app.listen(3000);
await fetch(url);
"""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result, _ = analyze_source(SourceFile("src/server.ts", data), "ts", config, list(selected_rules(config).values()))
        gc.collect()
        leaked = [type(item).__name__ for item in gc.garbage if type(item).__name__ in ("FileContext", "FileSemantics", "SourceFile")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert result.findings  # the rules did run
    assert leaked == []
