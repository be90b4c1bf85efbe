"""## What it finds

Outgoing HTTP calls in server code that can wait forever: `fetch(url)` or
`fetch(url, init)` whose `init` carries no `signal` (global `fetch`, `undici`'s `fetch`,
`node-fetch`, `cross-fetch`); `axios(...)` / `axios.get(...)` and calls on an
`axios.create(...)` instance without a `timeout` (in the call or the instance);
`got(...)` and `undici.request(...)` without a timeout option; `ky` with `timeout: false`.

## Why it matters in production

Node's `fetch` has no overall timeout and axios defaults to none. When an upstream hangs
(a stalled TCP connection, a slow third-party API), every request that awaits it stays open,
holding a socket, memory and often a database transaction, until the server runs out of
them and stops answering everyone. A timeout turns an outage of the upstream into an error
you can handle.

## Example

```ts
const res = await fetch(`${BILLING_URL}/invoices/${id}`);
const { data } = await axios.get(url);
```

## Use instead

```ts
const res = await fetch(`${BILLING_URL}/invoices/${id}`, { signal: AbortSignal.timeout(10_000) });
const { data } = await axios.get(url, { timeout: 10_000 });
// or once: const api = axios.create({ baseURL, timeout: 10_000 })
```

## Not flagged

Init objects that carry any `signal` (`AbortSignal.timeout(ms)`, an `AbortController`'s
signal aborted by a timer, the incoming request's signal), also when set after the object is
built (`init.signal = …`) or carried by a `new Request(url, { signal })`; an init or config
built elsewhere that we cannot see (`fetch(url, options)`, `{ ...defaults }`): no finding
rather than a guess; wrappers such as `fetchWithTimeout(url)`; `node-fetch` calls with its own
`timeout` option; `ky` without `timeout: false` (it gives up after 10 s by default); axios
calls that use an instance created with a `timeout` or after `axios.defaults.timeout = …`, and
instances imported from another module (not visible to this rule); client code: `'use client'`
files, React hooks and components that hold state, JSX event handlers (`onClick`), files that
import browser-only modules (`zustand`, `swr`, `next/router`), scripts that use browser APIs
(`document.currentScript`, an IIFE handed `window`), relative URLs (`fetch('/api/x')` only
works in a browser); tests and stories.

## Fix safety

The fix adds `signal: AbortSignal.timeout(10000)` (option `timeout-ms`) to a `fetch` call
whose init is absent or an object literal. It is safe: the request now fails with a
`TimeoutError` after that time instead of waiting forever; pick a timeout above your
slowest legitimate call.

## How to suppress

`// prodlint-ignore TS201: streaming endpoint, closed by the client` on the line or the line above.

## References

- https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static
- https://axios-http.com/docs/req_config
"""

import re

from linter import ts
from linter.finding import Fix
from linter.registry import Option, rule
from linter.semantics import FUNCTION_TYPES, call_arguments, enclosing_function, has_spread, member_path, object_properties

_AXIOS_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "postForm", "putForm", "patchForm"}
_GOT_METHODS = {"get", "post", "put", "patch", "delete", "head", "stream"}
_CLIENT_HOOKS = {"useEffect", "useLayoutEffect", "useCallback", "useMemo", "useQuery", "useMutation", "useSWR", "useInfiniteQuery"}
_HTTP_MODULES = {
    "axios": "axios", "got": "got", "ky": "ky", "undici": "undici", "node-fetch": "node-fetch",
    "cross-fetch": "fetch", "isomorphic-fetch": "fetch", "isomorphic-unfetch": "fetch",
}
# Every client this rule knows is the global `fetch` or a local name imported from one of
# `_HTTP_MODULES` in this same file, whose spec ends in one of these words (`node-fetch` in
# `fetch`, `isomorphic-unfetch` in `unfetch`). A file with none of them has no client to check.
_TRIGGERS = ("fetch", *sorted({re.split(r"[^A-Za-z0-9_$]+", spec)[-1] for spec in _HTTP_MODULES} - {"fetch"}))
# Hooks that only run in a browser component: a function calling one is a client component.
_REACT_CLIENT_HOOKS = {
    "useState", "useEffect", "useLayoutEffect", "useReducer", "useRef", "useTransition", "useOptimistic",
    "useActionState", "useFormStatus", "useSyncExternalStore", "useInsertionEffect", "useDeferredValue",
    "useRouter", "usePathname", "useSearchParams", "useParams", "useSWR", "useSWRConfig", "useQuery",
    "useMutation", "useQueryClient", "useInfiniteQuery",
}
# Modules only a browser bundle imports: hooks-based stores, the Pages router, the DOM renderer.
_CLIENT_MODULES = {"zustand", "jotai", "swr", "swr/infinite", "next/router", "react-dom/client"}
_BROWSER_GLOBALS = {"window", "document", "localStorage", "sessionStorage", "navigator"}
_BROWSER_APIS = {
    "window": {"location", "addEventListener", "removeEventListener", "localStorage", "sessionStorage", "history",
               "innerWidth", "innerHeight", "requestAnimationFrame", "matchMedia", "scrollTo", "postMessage"},
    "document": {"currentScript", "querySelector", "querySelectorAll", "getElementById", "getElementsByClassName",
                 "getElementsByTagName", "createElement", "cookie", "documentElement", "readyState",
                 "visibilityState", "addEventListener", "referrer"},
    "localStorage": {"getItem", "setItem", "removeItem"},
    "sessionStorage": {"getItem", "setItem", "removeItem"},
    "navigator": {"sendBeacon", "userAgent", "clipboard", "serviceWorker", "onLine"},
}


def _imported_clients(ctx) -> dict[str, str]:
    """Local name -> client kind ("fetch", "axios", "got", "ky", "undici", "undici.request")."""
    clients = {"fetch": "fetch", "globalThis.fetch": "fetch", "global.fetch": "fetch"}
    for entry in ctx.module_facts["imports"]:
        kind = _HTTP_MODULES.get(entry["spec"])
        if kind is None:
            continue
        for imported, local in entry["names"]:
            if not local:
                continue
            if imported in ("default", "*"):
                clients[local] = kind
            elif kind in ("fetch", "node-fetch") and imported == "fetch":
                clients[local] = kind
            elif kind == "undici" and imported in ("request", "fetch"):
                clients[local] = "undici.request" if imported == "request" else "fetch"
            elif kind == "got" and imported == "got":
                clients[local] = "got"
    return clients


_SCOPES = {"statement_block", "program", "class_body", *FUNCTION_TYPES}


def _scope_of(node):
    return next((parent for parent in ts.ancestors(node) if parent.type in _SCOPES), None)


def _contains(outer, inner) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _const_object(ctx, node):
    """The value the identifier `node` is bound to by the nearest visible declaration in this
    file (None when a parameter of that name is closer, or nothing declares it)."""
    node = ts.unwrap(node)
    if node is None or node.type != "identifier":
        return node
    name = ts.text(node)
    best, best_scope = None, None
    for declarator in ctx.captures("declarations").get("declarator", []):
        if ts.text(declarator.child_by_field_name("name")) != name:
            continue
        scope = _scope_of(declarator)
        if scope is None or not _contains(scope, node):
            continue
        if best_scope is None or scope.start_byte >= best_scope.start_byte:
            best, best_scope = declarator, scope
    if best is None:
        return None
    for function in ts.ancestors(node):
        if function.type not in FUNCTION_TYPES or not _contains(best_scope, function) or function == best_scope:
            continue
        params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
        if params is not None and any(item.type == "identifier" and ts.text(item) == name for item in ts.walk(params)):
            return None
    return ts.unwrap(best.child_by_field_name("value"))


def _assigned_keys(ctx, name: str) -> set[str]:
    """Properties set on `name` after it was built: `init.signal = controller.signal`."""
    keys = set()
    for left in ctx.captures("declarations").get("assignment.left", []):
        path = member_path(left)
        if path.startswith(name + ".") and path.count(".") == 1:
            keys.add(path.split(".", 1)[1])
    return keys


def _init_state(ctx, init, keys: set[str]) -> str:
    """"has" when the options carry one of `keys`, "lacks" when they visibly don't, else "unknown"."""
    if init is None:
        return "lacks"
    unwrapped = ts.unwrap(init)
    if unwrapped is not None and unwrapped.type == "identifier" and keys & _assigned_keys(ctx, ts.text(unwrapped)):
        return "has"
    obj = _const_object(ctx, init)
    if obj is None or obj.type != "object":
        return "unknown"
    props = object_properties(obj)
    if keys & set(props):
        return "has"
    if has_spread(obj):
        return "unknown"
    return "lacks"


def _request_init_state(ctx, first) -> str | None:
    """For `fetch(new Request(url, init))` (directly or through a `const`): the state of `init`."""
    value = _const_object(ctx, first) if ts.unwrap(first) is not None and ts.unwrap(first).type == "identifier" else ts.unwrap(first)
    if value is None or value.type != "new_expression":
        return None
    if member_path(value.child_by_field_name("constructor")) != "Request":
        return None
    args = call_arguments(value)
    if args and ts.unwrap(args[0]) is not None and ts.unwrap(args[0]).type == "identifier" and len(args) == 1:
        return "unknown"  # new Request(otherRequest) copies its signal
    return _init_state(ctx, args[1] if len(args) > 1 else None, {"signal"})


def _browser_file(ctx) -> bool:
    """A script that uses browser-only APIs (`document.currentScript`, `window.location`,
    `localStorage.getItem`, an IIFE handed `window`) runs in a page: tracking snippets, embeds.
    Isomorphic files check `typeof window` and stay in; a server variable that happens to be
    called `document` only counts through a browser API name."""
    browser = False
    for node in ctx.find("unary_expression", "member_expression", "identifier"):
        if node.type == "unary_expression" and ts.text(node).startswith("typeof"):
            operand = node.child_by_field_name("argument")
            if operand is not None and ts.text(operand) in _BROWSER_GLOBALS:
                return False
        if browser:
            continue
        if node.type == "member_expression":
            path = member_path(node)
            root, _, rest = path.partition(".")
            if root in _BROWSER_APIS and rest.split(".", 1)[0] in _BROWSER_APIS[root]:
                browser = True
        elif node.type == "identifier" and ts.text(node) == "window" and node.parent is not None and node.parent.type == "arguments":
            call = node.parent.parent
            callee = ts.unwrap(call.child_by_field_name("function")) if call is not None else None
            browser = callee is not None and callee.type in ("arrow_function", "function_expression", "function")
    return browser


def _client_module(ctx) -> bool:
    return any(entry["spec"] in _CLIENT_MODULES for entry in ctx.module_facts["imports"])


def _relative_url(node) -> bool:
    """`fetch('/api/x')` only works in a browser: Node's fetch rejects URLs without a host."""
    node = ts.unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return False
    raw = ts.text(node)[1:]
    return raw.startswith("/") and not raw.startswith("//")


def _calls_client_hook(function) -> bool:
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return False
    for statement in body.named_children:
        for node in ts.walk(statement):
            if node.type in FUNCTION_TYPES:
                continue
            if node.type == "call_expression":
                callee = member_path(node.child_by_field_name("function"))
                if callee.rsplit(".", 1)[-1] in _REACT_CLIENT_HOOKS and enclosing_function(node) == function:
                    return True
    return False


def _client_side(node) -> bool:
    for parent in ts.ancestors(node):
        if parent.type == "jsx_attribute":
            name = parent.named_children[0] if parent.named_children else None
            if name is not None and ts.text(name).startswith("on") and ts.text(name)[2:3].isupper():
                return True  # onClick / onSubmit handlers run in the browser
        if parent.type in FUNCTION_TYPES and _calls_client_hook(parent):
            return True
        if parent.type == "call_expression":
            callee = member_path(parent.child_by_field_name("function")).rsplit(".", 1)[-1]
            if callee in _CLIENT_HOOKS:
                return True
        if parent.type in FUNCTION_TYPES:
            name = parent.child_by_field_name("name")
            if name is None and parent.parent is not None and parent.parent.type == "variable_declarator":
                name = parent.parent.child_by_field_name("name")
            if name is not None and ts.text(name).startswith("use") and ts.text(name)[3:4].isupper():
                return True
    return False


def _axios_instances(ctx, clients: dict[str, str]) -> dict[str, bool]:
    """Instance name -> whether it was created (or later configured) with a timeout."""
    instances: dict[str, bool] = {}
    axios_names = {name for name, kind in clients.items() if kind == "axios"}
    for declarator in ctx.captures("declarations").get("declarator", []):
        value = ts.unwrap(declarator.child_by_field_name("value"))
        if value is None or value.type != "call_expression":
            continue
        callee = member_path(value.child_by_field_name("function"))
        if callee.rsplit(".", 1)[0] in axios_names and callee.endswith(".create"):
            args = call_arguments(value)
            state = _init_state(ctx, args[0] if args else None, {"timeout", "signal"})
            instances[ts.text(declarator.child_by_field_name("name"))] = state != "lacks"
    for assignment in ctx.captures("declarations").get("assignment.left", []):
        path = member_path(assignment)
        if path.endswith(".defaults.timeout"):
            owner = path[: -len(".defaults.timeout")]
            instances[owner] = True
    return instances


def _fetch_fix(ctx, call, args, timeout_ms: int):
    signal = f"signal: AbortSignal.timeout({timeout_ms})"
    if len(args) == 1:
        return Fix("Add `signal: AbortSignal.timeout(…)`", (ctx.edit((args[0].end_byte, args[0].end_byte), f", {{ {signal} }}"),))
    init = ts.unwrap(args[1])
    if init is not None and init.type == "object":
        props = [child for child in init.named_children if child.type != "comment"]
        if not props:
            return Fix("Add `signal: AbortSignal.timeout(…)`", (ctx.edit(init, f"{{ {signal} }}"),))
        last = props[-1]
        return Fix("Add `signal: AbortSignal.timeout(…)`", (ctx.edit((last.end_byte, last.end_byte), f", {signal}"),))
    return None


@rule(
    code="TS201",
    slug="fetch-without-timeout",
    level="warning",
    cwe=400,
    summary="Outgoing HTTP call without a timeout",
    target="ts",
    precision="high",
    security_severity=4.0,
    tags=("reliability",),
    options={"timeout-ms": Option(int, 10000, "timeout the fix inserts, in milliseconds")},
    fixable=True,
    triggers=_TRIGGERS,
)
def check(ctx):
    if not ctx.semantics.is_server_code or _client_module(ctx):
        return
    browser = None

    def report(node, message, fix=None):
        nonlocal browser
        if browser is None:
            browser = _browser_file(ctx)  # a whole-tree walk: only once there is something to report
        if not browser:
            ctx.report(node, message, fix=fix)

    clients = _imported_clients(ctx)
    # Instances come only from an axios imported here: without one, an unknown callee is no client
    # and the declarations need not be read.
    imports_axios = "axios" in clients.values()
    instances = None
    for call in ctx.find("call_expression"):
        callee = member_path(call.child_by_field_name("function"))
        if not callee:
            continue
        args = call_arguments(call)
        base, _, method = callee.rpartition(".")
        kind = clients.get(callee)
        if kind is None and base in clients and clients[base] in ("axios", "got", "ky", "undici"):
            kind = clients[base] + "." + method
        if kind == "undici.fetch":
            kind = "fetch"
        if kind is None:
            if not imports_axios:
                continue
            if instances is None:
                instances = _axios_instances(ctx, clients)
            if base in instances and method in _AXIOS_METHODS | {""}:
                if instances[base]:
                    continue
                kind = "axios-instance"
            else:
                continue
        if _client_side(call):
            continue
        if kind in ("fetch", "node-fetch"):
            keys = {"signal", "timeout"} if kind == "node-fetch" else {"signal"}  # node-fetch v2 has `timeout`
            if not args or _relative_url(args[0]) or _init_state(ctx, args[1] if len(args) > 1 else None, keys) != "lacks":
                continue
            if len(args) == 1 and _request_init_state(ctx, args[0]) not in (None, "lacks"):
                continue
            fix = _fetch_fix(ctx, call, args, ctx.options["timeout-ms"])
            report(call, "`fetch` without a `signal`: a stalled upstream keeps this request open forever; "
                             "pass `signal: AbortSignal.timeout(ms)`", fix=fix)
        elif kind in ("axios", "axios-instance") or kind.startswith("axios."):
            method = "" if kind in ("axios", "axios-instance") and not method else method
            if kind.startswith("axios.") and method not in _AXIOS_METHODS:
                continue
            if instances is None:
                instances = _axios_instances(ctx, clients)
            if instances.get(base if kind != "axios" else callee):
                continue
            config_index = 0 if (kind == "axios" or method == "request") else (1 if method in ("get", "delete", "head", "options") else 2)
            config = args[config_index] if len(args) > config_index else None
            if kind == "axios" and args and ts.unwrap(args[0]).type != "object":
                config = args[1] if len(args) > 1 else None
            if _init_state(ctx, config, {"timeout", "signal", "cancelToken"}) != "lacks":
                continue
            report(call, f"`{callee}` without a `timeout`: axios waits forever by default; "
                             "set `timeout` here or on an `axios.create({ timeout })` instance")
        elif kind.split(".")[0] in ("got", "ky"):
            method = kind.partition(".")[2]
            if method and method not in _GOT_METHODS:
                continue
            options = args[1] if len(args) > 1 else (args[0] if args and ts.unwrap(args[0]).type == "object" else None)
            if kind.startswith("ky"):
                # ky gives up after 10 s by default; only `timeout: false` turns that off
                timeout = object_properties(_const_object(ctx, options)).get("timeout") if options is not None else None
                if timeout is None or ts.text(timeout) != "false":
                    continue
                report(call, f"`{callee}` with `timeout: false`: a stalled upstream keeps this request open")
                continue
            if _init_state(ctx, options, {"timeout", "signal"}) != "lacks":
                continue
            report(call, f"`{callee}` without a `timeout` option: a stalled upstream keeps this request open")
        elif kind == "undici.request":
            options = args[1] if len(args) > 1 else None
            if _init_state(ctx, options, {"signal", "headersTimeout", "bodyTimeout"}) != "lacks":
                continue
            report(call, f"`{callee}` without `signal` or `headersTimeout`: undici waits up to 5 minutes by default")
