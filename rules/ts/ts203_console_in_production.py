"""## What it finds

`console.log`, `console.info`, `console.debug`, `console.warn`, `console.error` and
`console.trace` calls in server code, outside `scripts/`, `bin/`, `cli/`, seed and migration
scripts and config files. A call that TS105 (sensitive-data-logged) already reports is left
to TS105.

## Why it matters in production

`console.*` writes unstructured text with no level, no request id and no redaction: it
cannot be filtered or searched in the log pipeline, debug output floods it, and a stray
`console.log(user)` is how secrets reach log storage. In serverless runtimes every line
is billed. A logger (pino, winston, the framework's `request.log`) gives levels,
structured fields and redaction in one place.

## Example

```ts
export async function POST(req: Request) {
  const body = await req.json();
  console.log('creating order', body.items.length);
}
```

## Use instead

```ts
import { logger } from '@/lib/logger';
logger.info({ items: body.items.length }, 'creating order');
```

## Not flagged

Tests, stories and `.d.ts` files; scripts and CLI tools (`scripts/`, `bin/`, `cli/`, files
with a `#!` line, `seed.ts`, migrations); config files; client code (`'use client'`, React
hook callbacks, JSX event handlers, files that import `react-dom`); calls reachable only
under a development check (`if (process.env.NODE_ENV === 'development')`); logger modules
that forward their arguments to `console` (`(...args) => console.log(...args)`).

## How to suppress

`// prodlint-ignore TS203: startup banner` on the line or the line above.

## References

- https://cwe.mitre.org/data/definitions/778.html
- https://getpino.io/
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import FUNCTION_TYPES, call_arguments, is_config_path, is_script_path, member_path

_METHODS = {"log", "info", "debug", "warn", "error", "trace"}
_RECEIVERS = {"console", "globalThis.console", "global.console", "window.console"}
_SCRIPT_NAME = re.compile(r"(^|/)(seeds?|migrations?|migrate)(/|\.[cm]?[jt]sx?$)|(^|/)[\w.-]*seed[\w.-]*\.[cm]?[jt]sx?$", re.I)
_LOGGER_NAME = re.compile(r"(^|/)(logger|logging|log|console)\.[cm]?[jt]sx?$", re.I)
_HOOK = re.compile(r"^use[A-Z]\w*$")
_CLIENT_PARTS = {"client-only", "browser", "public", "static"}
_EXAMPLE_PARTS = {"examples", "example", "demo", "demos", "playground"}
_CLIENT_HOOKS = {"useEffect", "useLayoutEffect", "useCallback", "useMemo", "useInsertionEffect"}


def _client_file(ctx, path: str) -> bool:
    if any(part in _CLIENT_PARTS for part in path.split("/")[:-1]):
        return True
    return any(entry["spec"].startswith("react-dom") or entry["spec"] == "client-only" for entry in ctx.module_facts["imports"])


def _calls_hooks(ctx, function) -> bool:
    """A React component or hook: its own body calls `useSomething(…)` (server components cannot)."""
    body = function.child_by_field_name("body")
    if body is None:
        return False
    for node in ctx.find_in(body, "call_expression"):
        callee = node.child_by_field_name("function")
        if callee is not None and callee.type == "identifier" and _HOOK.match(ts.text(callee)):
            if next((p for p in ts.ancestors(node) if p.type in FUNCTION_TYPES), None) == function:
                return True
    return False


def _client_context(ctx, call, hooks_cache: dict) -> bool:
    """Inside a React component, a hook callback or a JSX event handler: runs in the browser."""
    for parent in ts.ancestors(call):
        if parent.type in FUNCTION_TYPES:
            if parent.id not in hooks_cache:
                hooks_cache[parent.id] = _calls_hooks(ctx, parent)
            if hooks_cache[parent.id]:
                return True
        elif parent.type == "call_expression":
            callee = member_path(parent.child_by_field_name("function")).rsplit(".", 1)[-1]
            if callee in _CLIENT_HOOKS:
                return True
        elif parent.type == "jsx_attribute":
            name = ts.text(parent.named_children[0]) if parent.named_children else ""
            if re.match(r"on[A-Z]", name):
                return True
    return False


def _forwards_arguments(call) -> bool:
    """`(...args) => console.log(...args)`: a logger built on console, not a stray debug line."""
    args = call_arguments(call)
    return bool(args) and any(arg.type == "spread_element" for arg in args)


@rule(
    code="TS203",
    slug="console-in-production",
    level="note",
    cwe=778,
    summary="`console` logging in server code",
    target="ts",
    precision="medium",
    security_severity=2.0,
    tags=("maintainability", "logging"),
    # Every receiver in `_RECEIVERS` names `console` (`globalThis['console']` too); a call through
    # an alias (`const log = console.log`) is not judged.
    triggers=("console",),
)
def check(ctx):
    semantics = ctx.semantics
    path = semantics.path
    if not semantics.is_server_code or is_script_path(path) or is_config_path(path):
        return
    if _SCRIPT_NAME.search(path) or _LOGGER_NAME.search(path) or _client_file(ctx, path):
        return
    if any(part in _EXAMPLE_PARTS for part in path.split("/")[:-1]):
        return
    first = ctx.root.children[0] if ctx.root.children else None
    if first is not None and first.type == "hash_bang_line":
        return  # a CLI tool
    hooks_cache: dict = {}
    for call in ctx.find("call_expression"):
        callee = member_path(call.child_by_field_name("function"))
        receiver, _, method = callee.rpartition(".")
        if receiver not in _RECEIVERS or method not in _METHODS:
            continue
        if _forwards_arguments(call) or _client_context(ctx, call, hooks_cache) or semantics.is_development_only(call):
            continue
        if semantics.sensitive_log_argument(call) is not None:
            continue  # TS105 (sensitive-data-logged) reports this call
        ctx.report(call, f"`{callee}` in server code: unstructured output with no level or redaction; "
                         "use the app's logger so it can be filtered, searched and scrubbed")
