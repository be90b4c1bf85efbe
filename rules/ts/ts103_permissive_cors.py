"""## What it finds

CORS configurations that let any web site call the API from a visitor's browser:

- `cors({ origin: true | '*' | /.*/, credentials: true })` for express `cors`, `@fastify/cors`
  (`fastify.register(cors, { … })`), Hono's `cors()` middleware, `@koa/cors` and Nest's
  `app.enableCors({ … })` or `NestFactory.create(AppModule, { cors: { … } })`, also when the
  options object is built in a `const` or exported from another module;
- an origin callback that always allows (`origin: (origin, cb) => cb(null, true)`);
- a handler that copies the request's `Origin` header into `Access-Control-Allow-Origin`
  while also sending `Access-Control-Allow-Credentials: true`, or hand-written headers
  (`res.setHeader`, `next.config.js` `headers()`) that always send
  `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`.

These are errors. `cors()` with no options (every origin allowed) and a wildcard or
reflected origin without credentials are reported as warnings.

## Why it matters in production

With credentials allowed for any origin, a page on any site the user visits can send
requests that carry the user's cookies and read the answers: the account data, CSRF
tokens, anything the API returns. Wildcard CORS without credentials is harmless for a
public API but usually means nobody decided who may call it.

## Example

```ts
app.use(cors({ origin: true, credentials: true }));
await fastify.register(cors, { origin: (origin, cb) => cb(null, true), credentials: true });
```

## Use instead

```ts
const allowed = (process.env.CORS_ORIGINS ?? '').split(',');
app.use(cors({ origin: allowed, credentials: true }));
```

## Not flagged

Origins from an explicit list (arrays, env-driven lists), origin functions that check a
list or a pattern, a hand-written `Access-Control-Allow-Origin: *` header without
credentials (public files and endpoints), headers written by a helper only in some branch, a fixed origin string, `origin: false` (same-origin only), options we
cannot see (built by a function call or read from a config object).

## How to suppress

`// prodlint-ignore TS103: public read-only API, no cookies` on the line or the line above.

## References

- https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS
- https://portswigger.net/web-security/cors
- https://github.com/expressjs/cors#configuration-options
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import FUNCTION_TYPES, call_arguments, has_spread, member_path, object_properties, parameter_names

_CORS_MODULE = re.compile(r"^(cors|kcors|hono/cors|@[\w.-]+/cors|(fastify|koa|koa2|express)-cors)$")
_ANY_REGEX = re.compile(r"^/\^?\.[*+]\$?/[a-z]*$")
_ACAO = "access-control-allow-origin"
_ACAC = "access-control-allow-credentials"
_HEADER_SETTERS = {"setHeader", "header", "set", "append", "appendHeader"}
_CORS_CALL_WORDS = frozenset({b"cors", b"kcors", b"enableCors"})  # what _CORS_MODULE specs and `enableCors` contain


def _cors_names(ctx) -> set[str]:
    names = set()
    for entry in ctx.module_facts["imports"]:
        if _CORS_MODULE.match(entry["spec"]):
            names.update(local for _imported, local in entry["names"] if local)
    return names


def _is_cors_module_call(node) -> bool:
    """`require('@fastify/cors')` / `import('@fastify/cors')` used inline."""
    node = ts.unwrap(node)
    while node is not None and node.type == "await_expression":
        node = ts.unwrap(node.named_children[0]) if node.named_children else None
    if node is None or node.type != "call_expression":
        return False
    if ts.text(node.child_by_field_name("function")) not in ("require", "import"):
        return False
    args = call_arguments(node)
    return bool(args) and bool(_CORS_MODULE.match(ts.string_value(args[0]) or ""))


class _Scope:
    def __init__(self, ctx):
        self.ctx = ctx
        self.bindings: dict[str, list] = {}
        for declarator in ctx.captures("declarations").get("declarator", []):
            name = declarator.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                self.bindings.setdefault(ts.text(name), []).append(declarator)
        self.functions = {ts.text(n.child_by_field_name("name")): n for n in ctx.find("function_declaration")}

    def value(self, node, depth: int = 0):
        """Follow an identifier to the one value it is bound to in this file."""
        node = ts.unwrap(node)
        if node is None or node.type != "identifier" or depth > 4:
            return node
        name = ts.text(node)
        if name in self.functions:
            return self.functions[name]
        declarators = self.bindings.get(name, [])
        if len(declarators) != 1:
            return None
        value = declarators[0].child_by_field_name("value")
        if value is None:
            return None
        return self.value(value, depth + 1)


def _always_allows(function) -> bool:
    """An origin callback that never refuses: every call of its callback grants (`cb(null, true)`,
    `cb(null, origin)`), or every `return` hands back `true`/the origin (Hono). Conditionals do
    not matter when all their branches grant."""
    body = function.child_by_field_name("body")
    if body is None:
        return False
    params = parameter_names(function)
    origin = params[0] if params else ""
    callback = params[1] if len(params) > 1 else ""

    def granted(value) -> bool:
        value = ts.unwrap(value)
        return value is not None and (value.type == "true" or ts.string_value(value) == "*" or (bool(origin) and ts.text(value) == origin))

    if body.type != "statement_block":
        if not callback:
            return granted(body)
    grants = 0
    for node in ts.walk(body):
        if callback and node.type == "identifier" and ts.text(node) == callback:
            call = node.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != node:
                return False  # handed on to something we cannot see
            args = call_arguments(call)
            if len(args) < 2 or ts.text(args[0]) not in ("null", "undefined") or not granted(args[1]):
                return False
            grants += 1
        elif not callback and node.type == "return_statement":
            if next((p for p in ts.ancestors(node) if p.type in FUNCTION_TYPES), None) != function:
                continue
            value = node.named_children[0] if node.named_children else None
            if not granted(value):
                return False
            grants += 1
    return grants > 0


def _origin_verdict(scope: _Scope, value) -> str | None:
    """What an `origin` option allows: "any" (true, '*', match-all regex), "callback" (a
    function that always allows), or None (a list, a fixed origin, something we can't see)."""
    value = scope.value(value)
    if value is None:
        return None
    if value.type == "true":
        return "reflect"
    if ts.string_value(value) == "*":
        return "any"
    if value.type == "regex" and _ANY_REGEX.match(ts.text(value)):
        return "any"
    if value.type in FUNCTION_TYPES or value.type == "function_declaration":
        return "callback" if _always_allows(value) else None
    return None


class _Checker:
    def __init__(self, ctx):
        self.ctx = ctx
        self.scope = _Scope(ctx)
        self.done: set[int] = set()

    def options(self, options, call, library: str, default_origin_any: bool = True) -> None:
        """Judge the options given to a CORS middleware `call` (None: no options)."""
        obj = self.scope.value(options) if options is not None else None
        if options is not None and (obj is None or obj.type != "object"):
            return  # built elsewhere: no guess
        if obj is not None:
            if obj.id in self.done:
                return
            self.done.add(obj.id)
        props = object_properties(obj) if obj is not None else {}
        credentials = props.get("credentials")
        with_credentials = credentials is not None and ts.text(self.scope.value(credentials) or credentials) == "true"
        if "origin" not in props:
            if obj is not None and has_spread(obj):
                return
            if not default_origin_any:
                return
            if with_credentials:
                self.ctx.report(call, f"`{library}` with `credentials: true` and no `origin`: the default allows every origin; "
                                      "list the sites that may call this API")
            else:
                self.ctx.report(call, f"`{library}` without an `origin` allows every site to call this API; "
                                      "list the origins that may, or confirm it is public", level="warning")
            return
        verdict = _origin_verdict(self.scope, props["origin"])
        if verdict is None:
            return
        pair = props["origin"].parent if props["origin"].parent is not None and props["origin"].parent.type == "pair" else props["origin"]
        what = {"reflect": "`origin: true` reflects any origin", "any": f"`origin: {ts.text(props['origin'])}` allows any origin",
                "callback": "this origin callback allows every origin"}[verdict]
        if with_credentials:
            self.ctx.report(pair, f"{what} with `credentials: true`: any web site can make requests with your users' "
                                  "cookies and read the answers; allow a list of origins")
        else:
            self.ctx.report(pair, f"{what}: every site may call this API from a browser; list the origins that may, "
                                  "or confirm it is public", level="warning")


def _reflects_origin(node, scope_fn, depth: int = 0) -> bool:
    """`req.headers.origin`, `req.get('origin')`, `request.headers.get('origin')`, or a local bound to one."""
    node = ts.unwrap(node)
    if node is None or depth > 3:
        return False
    if node.type == "binary_expression" and ts.text(node.child_by_field_name("operator")) in ("||", "??"):
        return _reflects_origin(node.child_by_field_name("left"), scope_fn, depth + 1)
    path = member_path(node).lower()
    if path.endswith(("headers.origin", "header.origin")):
        return True
    if node.type == "call_expression":
        args = call_arguments(node)
        method = member_path(node.child_by_field_name("function")).rsplit(".", 1)[-1]
        if method in ("get", "header", "getHeader") and args and (ts.string_value(args[0]) or "").lower() == "origin":
            return True
    if node.type == "identifier" and scope_fn is not None:
        name = ts.text(node)
        for child in ts.walk(scope_fn):
            if child.type == "variable_declarator":
                target = child.child_by_field_name("name")
                if target is not None and target.type == "identifier" and ts.text(target) == name:
                    return _reflects_origin(child.child_by_field_name("value"), scope_fn, depth + 1)
                if target is not None and target.type == "object_pattern" and member_path(child.child_by_field_name("value")).endswith("headers"):
                    if any(ts.text(c) == "origin" == name for c in target.named_children):
                        return True
    return False


def _checked(value, function) -> bool:
    """A conditional in the handler looks at the origin before it is echoed back."""
    value = ts.unwrap(value)
    name = ts.text(value) if value is not None and value.type == "identifier" else "origin"
    for node in ts.walk(function):
        if node.type in ("if_statement", "ternary_expression", "switch_statement"):
            condition = node.child_by_field_name("condition") or node.child_by_field_name("value")
            if condition is not None and name.lower() in ts.text(condition).lower():
                return True
    return False


def _header_writes(ctx):
    """(node to report, header name, value) for each CORS response header written by hand:
    `res.setHeader(name, v)`, `{ 'Access-Control-Allow-Origin': v }`, `{ key: name, value: v }`
    (next.config.js `headers()`)."""
    for node in ctx.find("call_expression", "pair", "object"):
        if node.type == "call_expression":
            method = member_path(node.child_by_field_name("function")).rsplit(".", 1)[-1]
            args = call_arguments(node)
            if method in _HEADER_SETTERS and len(args) >= 2:
                name = (ts.string_value(args[0]) or "").lower()
                if name in (_ACAO, _ACAC):
                    yield node, name, args[1]
        elif node.type == "pair":
            key = node.child_by_field_name("key")
            name = (ts.string_value(key) if key is not None and key.type == "string" else ts.text(key) or "").lower()
            if name in (_ACAO, _ACAC):
                yield node, name, node.child_by_field_name("value")
        else:
            props = object_properties(node)
            name = (ts.string_value(props.get("key")) or "").lower()
            if name in (_ACAO, _ACAC) and "value" in props:
                yield node, name, props["value"]


def _conditional(node) -> bool:
    for parent in ts.ancestors(node):
        if parent.type in ("if_statement", "ternary_expression", "switch_case", "else_clause"):
            return True
        if parent.type in FUNCTION_TYPES:
            return False
    return False


def _truthy(value) -> bool:
    value = ts.unwrap(value)
    return value is not None and (value.type == "true" or ts.string_value(value) == "true")


@rule(
    code="TS103",
    slug="permissive-cors",
    level="error",
    cwe=942,
    summary="CORS allows any origin, with credentials",
    target="ts",
    precision="high",
    security_severity=7.5,
    tags=("security", "cors"),
)
def check(ctx):
    # every shape this rule reads names CORS or the header it sets
    if not ctx.source.mentions(b"cors", b"access-control-allow-origin") or not ctx.semantics.is_server_code:
        return
    checker = _Checker(ctx)
    scope = checker.scope
    names = _cors_names(ctx)
    words = ctx.source.words
    # A CORS middleware call names an imported CORS function, a CORS module or `enableCors`.
    calls = ctx.find("call_expression") if names or not words.isdisjoint(_CORS_CALL_WORDS) else ()
    for call in calls:
        function = call.child_by_field_name("function")
        callee = member_path(function)
        if (names and callee in names) or _is_cors_module_call(function):
            args = call_arguments(call)
            checker.options(args[0] if args else None, call, callee if callee in names else "cors")
        elif callee.endswith(".register"):
            args = call_arguments(call)
            if args and (ts.text(ts.unwrap(args[0])) in names or _is_cors_module_call(args[0])):
                checker.options(args[1] if len(args) > 1 else None, call, "@fastify/cors")
        elif callee.endswith(".enableCors"):
            args = call_arguments(call)
            checker.options(args[0] if args else None, call, "enableCors")
    # Options defined apart from the call (exported, or passed as `cors: { … }`): a `cors` key,
    # or an object with an `origin` key.
    apart = ("pair",) * (b"cors" in words) + ("object",) * (b"origin" in words)
    for node in ctx.find(*apart) if apart else ():
        if node.type == "pair":
            key = node.child_by_field_name("key")
            value = ts.unwrap(node.child_by_field_name("value"))
            if key is not None and key.text.strip(b"'\"") == b"cors" and value is not None and value.type == "object":
                checker.options(value, node, "cors", default_origin_any=False)
        elif node.type == "object" and node.id not in checker.done:
            props = object_properties(node)
            if "origin" not in props:
                continue
            holder = node.parent
            named_cors = holder is not None and holder.type == "variable_declarator" and "cors" in ts.text(holder.child_by_field_name("name")).lower()
            if named_cors or ("credentials" in props and _origin_verdict(scope, props["origin"]) is not None):
                checker.options(node, node, "cors", default_origin_any=False)
    # Hand-written headers that echo the request's Origin: only an Access-Control-Allow-Origin
    # write is ever reported.
    if _ACAO.encode() not in ctx.source.lowered:
        return
    writes = list(_header_writes(ctx))
    credentials = any(name == _ACAC and _truthy(value) for _node, name, value in writes)
    for node, name, value in writes:
        if name != _ACAO:
            continue
        if ts.string_value(ts.unwrap(value)) == "*":
            # A bare wildcard header is how public endpoints (images, health) say so; only the
            # unconditional pairing with credentials is a misconfiguration. Conditional writes are
            # CORS helpers deciding at run time.
            if credentials and not _conditional(node):
                ctx.report(node, "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`: every origin is "
                                 "invited to send credentialed requests; name the origins that may")
            continue
        function = _function_of(node) or ctx.root
        if not _reflects_origin(value, function):
            continue
        if _checked(value, function):
            continue
        if credentials:
            ctx.report(node, "the request's `Origin` is echoed into `Access-Control-Allow-Origin` with credentials allowed: "
                             "any web site can make requests with your users' cookies and read the answers; check it against a list")
        else:
            ctx.report(node, "the request's `Origin` is echoed into `Access-Control-Allow-Origin`: every site may call this "
                             "API from a browser; check it against a list", level="warning")


def _function_of(node):
    for parent in ts.ancestors(node):
        if parent.type in FUNCTION_TYPES:
            return parent
    return None
