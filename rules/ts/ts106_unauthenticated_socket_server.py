"""## What it finds

A socket.io server (`new Server(...)` imported from `socket.io`, `new SocketIOServer(...)`,
`require('socket.io')(http)`, `new (require('socket.io').Server)(...)`) with no middleware
(`io.use(...)`, `io.engine.use(...)`), no `allowRequest` option and no `connection` handler
that authenticates first; and a `ws` server (`new WebSocketServer(...)`,
`new WebSocket.Server(...)`, aliases such as `new WSServer(...)`) with no `verifyClient`
option, no `upgrade` handler that authenticates before `wss.handleUpgrade(...)` and no
authenticating `connection` handler.

The search covers the whole project, following the server through the module graph: the
module that creates it, every module that imports it (named, default, `module.exports`,
`import * as ns`, `require`, dynamic `import()`), through re-exports, `index` barrels,
`tsconfig` `paths` aliases and workspace packages, factories that return it
(`createRealtimeServer(http)`), and functions it is handed to (`installAuth(io)`).

## Why it matters in production

A socket server accepts a long-lived connection from anyone who can reach the port. Without a
handshake check every visitor can join rooms, receive broadcasts meant for signed-in users
and emit events that the handlers trust, and HTTP middleware (sessions, auth guards) does not
run for socket events.

## Example

```ts
import { Server } from 'socket.io';

export const io = new Server(httpServer, { cors: { origin: APP_URL } });
io.on('connection', (socket) => {
  socket.on('order:watch', (id) => socket.join(`order:${id}`));
});
```

## Use instead

```ts
io.use(async (socket, next) => {
  try {
    socket.data.user = await verifySession(socket.handshake.auth.token);
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});
```

For `ws`, pass `verifyClient`, or create it with `noServer: true` and authenticate the
request in the HTTP server's `upgrade` handler before calling `wss.handleUpgrade(...)`.

## Not flagged

- middleware registered in another module that imports the instance, or in a function the
  instance is passed to (also when that function stores it in a module variable first);
- namespace servers where every namespace has its own `.use` (`io.of('/admin').use(...)`)
  and the main namespace serves nothing;
- a `connection` handler that verifies a token or session from the handshake before it
  listens, joins or emits, and disconnects on failure; or one that waits for an
  `authenticate` message under a timer that disconnects;
- `ws` servers created with `noServer: true` whose `upgrade` handler checks a session,
  cookie or token and destroys the socket before `handleUpgrade`;
- options built elsewhere (`new Server(http, socketOptions)`, `{ ...options }`): they may
  carry `allowRequest`/`verifyClient`, so the rule stays silent rather than guess;
- `new Server(...)` from other libraries (MCP, `http`, Hocuspocus), tests.

## How to suppress

`// prodlint-ignore TS106: public read-only feed, no user data` on the line of the
constructor or the line above.

## References

- https://socket.io/docs/v4/middlewares/
- https://github.com/websockets/ws#client-authentication
"""

from __future__ import annotations

import re
from collections import deque

from linter import ts
from linter.project import declared_names
from linter.registry import rule
from linter.semantics import (
    parameter_names,
    FUNCTION_TYPES,
    call_arguments,
    is_declaration_path,
    is_story_path,
    is_test_path,
    member_path,
    name_words,
    object_properties,
)

_SOCKET_IO = ("socket.io",)
_WS = ("ws", "isomorphic-ws")
# `new SocketIOServer(…)` names socket.io even where the import is out of sight (a global in
# a Next.js custom server, a re-export through a local module that re-exports socket.io).
_LOOSE_SOCKET_IO_CLASSES = {"SocketIOServer", "SocketIoServer"}
_AUTH_WORDS = {"VERIFY", "AUTH", "AUTHENTICATE", "AUTHENTICATED", "AUTHENTICATION", "AUTHORIZE", "AUTHORIZED", "AUTHORIZATION"}
_AUTH_VERBS = {"VALIDATE", "CHECK", "GET", "LOAD", "FIND", "DECRYPT", "UNSEAL", "READ", "RESOLVE", "FETCH", "LOOKUP", "REQUIRE"}
_AUTH_OBJECTS = {"TOKEN", "SESSION", "JWT", "TICKET", "CREDENTIALS"}
_WHO_OBJECTS = {"USER", "PRINCIPAL", "IDENTITY", "ACCOUNT", "MEMBER"}  # getUser(token) checks; getUser(socket.id) looks up
_CREDENTIAL_SEGMENTS = {"authorization", "cookie", "cookies", "session", "token", "accesstoken", "jwt", "apikey", "ticket"}
_DISCONNECTS = {"disconnect", "close", "terminate", "destroy", "end"}
_SERVING = {"on", "once", "join", "emit", "send", "to", "in", "broadcast", "addListener"}
_QUIET_EVENTS = {"disconnect", "disconnecting", "error", "close"}
_SCOPE = {"parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "await_expression"}


# --- phase 1: what one file says about socket servers ----------------------------------------


def _classes(ctx) -> tuple[dict[str, str], dict[str, str]]:
    """Local name -> "socket.io"/"ws" for server classes, and for whole-module bindings."""
    classes: dict[str, str] = {}
    modules: dict[str, str] = {}
    for entry in ctx.module_facts["imports"]:
        spec = entry["spec"]
        kind = "socket.io" if spec in _SOCKET_IO else "ws" if spec in _WS else None
        if kind is None:
            for imported, local in entry["names"]:
                if local and imported != "*":
                    modules.setdefault(local, "")  # some other library's export: never a loose socket.io name
            continue
        for imported, local in entry["names"]:
            if not local:
                continue
            if imported in ("default", "*"):
                modules[local] = kind
            elif kind == "socket.io" and imported == "Server":
                classes[local] = kind
            elif kind == "ws" and imported in ("Server", "WebSocketServer"):
                classes[local] = kind
    return classes, modules


def _server_kind(node, classes, modules, local_classes=frozenset()) -> str | None:
    """The kind of socket server a `new …(…)` or `require('socket.io')(…)` call creates."""
    if node.type == "new_expression":
        ctor = ts.unwrap(node.child_by_field_name("constructor"))
        if ctor is None:
            return None
        if ctor.type == "identifier":
            name = ts.text(ctor)
            if name in classes:
                return classes[name]
            if name in _LOOSE_SOCKET_IO_CLASSES and name not in modules and name not in local_classes:
                return "socket.io"
            return None
        if ctor.type == "member_expression":
            prop = ts.text(ctor.child_by_field_name("property"))
            obj = ts.unwrap(ctor.child_by_field_name("object"))
            kind = modules.get(ts.text(obj)) if obj is not None and obj.type == "identifier" else _required_kind(obj)
            if kind == "socket.io" and prop == "Server" or kind == "ws" and prop in ("Server", "WebSocketServer"):
                return kind
        return None
    function = ts.unwrap(node.child_by_field_name("function"))
    if function is None:
        return None
    if function.type == "identifier" and modules.get(ts.text(function)) == "socket.io":
        return "socket.io"  # import io from 'socket.io'; io(httpServer)
    if _required_kind(function) == "socket.io":
        return "socket.io"  # require('socket.io')(httpServer)
    return None


def _required(node) -> str | None:
    """The specifier of a `require('x')` call."""
    node = ts.unwrap(node)
    if node is None or node.type != "call_expression" or ts.text(node.child_by_field_name("function")) != "require":
        return None
    args = call_arguments(node)
    return ts.string_value(args[0]) if args else None


def _required_spec(node) -> str | None:
    spec = _required(node)
    return spec if spec and spec.startswith(".") else None


def _required_kind(node) -> str | None:
    spec = _required(node)
    return "socket.io" if spec in _SOCKET_IO else "ws" if spec in _WS else None


def _function_name(function) -> str:
    if function.type in ("function_declaration", "generator_function_declaration", "method_definition"):
        return ts.text(function.child_by_field_name("name"))
    parent = function.parent
    while parent is not None and parent.type in _SCOPE:
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator":
        return ts.text(parent.child_by_field_name("name"))
    if parent is not None and parent.type == "export_statement":
        return "default"
    if parent is not None and parent.type == "assignment_expression":  # module.exports = function (server) { … }
        left = member_path(parent.child_by_field_name("left"))
        if left in ("module.exports", "exports"):
            return "default"
        if left.startswith(("module.exports.", "exports.")):
            return left.rpartition(".")[2]
    return ""


def _binding(node) -> tuple[str | None, str | None, bool]:
    """(binding, factory function, exported as default) of a constructor call."""
    child, parent = node, node.parent
    while parent is not None and parent.type in _SCOPE:
        child, parent = parent, parent.parent
    if parent is None:
        return None, None, False
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == child:
        name = parent.child_by_field_name("name")
        return (ts.text(name) if name is not None and name.type == "identifier" else None), None, False
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == child:
        left = member_path(parent.child_by_field_name("left"))
        if left in ("module.exports", "exports"):
            return None, None, True
        return _qualify(left, parent) or None, None, False
    if parent.type == "public_field_definition":
        return _qualify("this." + ts.text(parent.child_by_field_name("name")), parent), None, False
    if parent.type == "export_statement":
        return None, None, True
    if parent.type == "return_statement" or parent.type in FUNCTION_TYPES:
        function = parent if parent.type in FUNCTION_TYPES else next((a for a in ts.ancestors(parent) if a.type in FUNCTION_TYPES), None)
        return None, (_function_name(function) if function is not None else None) or None, False
    return None, None, False


def _qualify(path: str, node) -> str:
    """`this.io` names a different object in each class: `Realtime:this.io`."""
    if not path.startswith("this."):
        return path
    for parent in ts.ancestors(node):
        if parent.type in ("class_declaration", "class", "abstract_class_declaration"):
            name = parent.child_by_field_name("name")
            return f"{ts.text(name) if name is not None else parent.start_byte}:{path}"
    return path


def _returned_by(node, binding: str) -> str | None:
    """The function that builds the server in a local and returns it (`const io = …; return io`)."""
    function = next((a for a in ts.ancestors(node) if a.type in FUNCTION_TYPES), None)
    if function is None:
        return None
    body = function.child_by_field_name("body")
    if body is not None and body.type != "statement_block":
        return (_function_name(function) or None) if ts.text(ts.unwrap(body)) == binding else None
    for statement in ts.walk(body) if body is not None else ():
        if statement.type == "return_statement" and next((a for a in ts.ancestors(statement) if a.type in FUNCTION_TYPES), None) == function:
            value = ts.unwrap(statement.named_children[0] if statement.named_children else None)
            if value is not None and member_path(value) == binding:
                return _function_name(function) or None
    return None


def _handed_to(node) -> tuple[str, int] | None:
    """(callee, argument position) when a constructor call is itself an argument."""
    child, parent = node, node.parent
    while parent is not None and parent.type in _SCOPE:
        child, parent = parent, parent.parent
    if parent is None or parent.type != "arguments" or parent.parent is None or parent.parent.type != "call_expression":
        return None
    callee = member_path(parent.parent.child_by_field_name("function"))
    if not callee or "()" in callee:
        return None
    args = [arg for arg in parent.named_children if arg.type != "comment"]
    return (callee, args.index(child)) if child in args else None


def _receiver(node, aliases: dict[str, tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """(base, namespace) of the object a method is called on: `io` -> ("io", None),
    `io.of('/admin')` -> ("io", "/admin"), `io.sockets`/`io.engine` -> ("io", None), an alias
    `const admin = io.of('/admin')` -> ("io", "/admin")."""
    node = ts.unwrap(node)
    if node is None:
        return None
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "member_expression" and ts.text(function.child_by_field_name("property")) == "of":
            base = _receiver(function.child_by_field_name("object"), aliases)
            args = call_arguments(node)
            if base is None or not args:
                return None
            return base[0], ts.string_value(args[0]) or ts.text(args[0])
        return None
    path = _qualify(member_path(node), node)
    if not path or "()" in path:
        return None
    for suffix in (".sockets", ".engine"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    if path in aliases:
        return aliases[path]
    return path, None


def _is_log(call) -> bool:
    path = callee = member_path(call.child_by_field_name("function"))
    return callee.startswith(("console.", "logger.", "log.")) or path in ("debug", "log")


def _auth_call(call) -> bool:
    """`verifyToken(…)`, `jwt.verify(…)`, `auth.api.getSession(…)`, `validateSession(…)`, and
    `getUserFromToken(…)` / `findUser(token)`: a lookup of who someone is from a credential."""
    path = member_path(call.child_by_field_name("function"))
    if not path:
        return False
    segments = path.replace("()", "").split(".")[-2:]
    words = set(word for segment in segments for word in name_words(segment))
    if words & _AUTH_WORDS:
        return True
    if words & _AUTH_VERBS and words & _AUTH_OBJECTS:
        return True
    if words & _AUTH_VERBS and words & _WHO_OBJECTS:
        for arg in call_arguments(call):
            arg_path = member_path(arg)
            if _credential_read(arg_path) or set(name_words(arg_path.rpartition(".")[2])) & (_AUTH_OBJECTS | {"COOKIE", "AUTH", "AUTHORIZATION"}):
                return True
    return False


def authenticates(function, kind: str = "connection") -> bool:
    return _auth_start(function, kind) is not None


def _auth_start(function, kind: str = "connection") -> int | None:
    """A connection (or upgrade) handler that checks credentials before serving and drops the
    connection when they fail: an auth-named call or a credential read passed to a call, or a
    timer that disconnects while an auth message is awaited; a disconnect of the socket; and no
    event listener, join or emit on the socket before the check."""
    params = [p for p in parameter_names(function) if p]
    body = function.child_by_field_name("body")
    if not params or body is None:
        return None
    sockets = set(params) if kind == "connection" else set(params[1:2])
    first_auth = None
    disconnects = False
    serving = []
    waits_for_auth = False
    timer_disconnects = False
    for node in ts.walk(body):
        if node.type != "call_expression":
            if node.type == "member_expression" and first_auth is None and not _is_log_arg(node):
                path = member_path(node)
                if _credential_read(path) and _inside_call_argument(node, body) or _session_read(path) and _in_condition(node, body):
                    first_auth = node.start_byte
            continue
        function_node = node.child_by_field_name("function")
        path = member_path(function_node)
        base, _, method = path.rpartition(".")
        if base in sockets and method in _DISCONNECTS and not _inside_listener(node, body, sockets):
            disconnects = True
        if kind == "upgrade" and base in sockets and method == "write" and "40" in ts.text(node):
            disconnects = True
        if path == "setTimeout":
            if any(member_path(c.child_by_field_name("function")).rpartition(".")[2] in _DISCONNECTS for c in ts.walk(node) if c.type == "call_expression"):
                timer_disconnects = True
                first_auth = node.start_byte if first_auth is None else first_auth
        if base in sockets and method in _SERVING:
            args = call_arguments(node)
            event = ts.string_value(args[0]) if args else None
            if method in ("on", "once", "addListener") and event is not None and set(name_words(event)) & (_AUTH_WORDS | {"LOGIN", "HELLO"}):
                waits_for_auth = True
                continue
            if method in ("on", "once") and event in _QUIET_EVENTS:
                continue
            serving.append(node.start_byte)
        if first_auth is None and _auth_call(node) and not _is_log(node):
            first_auth = node.start_byte
    if timer_disconnects and waits_for_auth:
        return first_auth
    if first_auth is None or not disconnects:
        return None
    return first_auth if all(start > first_auth for start in serving) else None


def _inside_listener(node, body, sockets: set[str]) -> bool:
    """Inside `socket.on('kick', …)`: a disconnect there answers an event, not a failed check."""
    for parent in ts.ancestors(node):
        if parent == body:
            return False
        if parent.type == "call_expression":
            base, _, method = member_path(parent.child_by_field_name("function")).rpartition(".")
            args = call_arguments(parent)
            event = ts.string_value(args[0]) if args else None
            if base in sockets and method in ("on", "once", "addListener") and event is not None:
                return not (set(name_words(event)) & (_AUTH_WORDS | {"LOGIN", "HELLO"}))
    return False


def _upgrade_facts(handler) -> dict:
    """Which servers an `upgrade` handler hands sockets to only after it authenticated the
    request (`wss.handleUpgrade` after the check), and which it hands them to before."""
    start = _auth_start(handler, "upgrade")
    authed, open_ = set(), set()
    for call in ts.walk(handler):
        if call.type != "call_expression":
            continue
        path = member_path(call.child_by_field_name("function"))
        if path.endswith(".handleUpgrade"):
            base = path.rpartition(".")[0]
            (authed if start is not None and call.start_byte > start else open_).add(base)
    return {"auth": start is not None, "handles": sorted(authed - open_), "open": sorted(open_)}


def _credential_read(path: str) -> bool:
    """`socket.handshake.auth.token`, `req.headers.authorization`, `request.headers.cookie`,
    `socket.request.session`: where a handshake carries credentials (not `req.url`, which
    routes as often as it authenticates)."""
    return "handshake.auth" in path or any(segment.lower() in _CREDENTIAL_SEGMENTS for segment in path.split(".")[1:])


def _session_read(path: str) -> bool:
    """`request.session.user`, `socket.request.session`: a session some middleware loaded and
    verified, so testing it is a check (unlike testing that a raw token is merely present)."""
    return "session" in [segment.lower() for segment in path.split(".")[1:]]


def _in_condition(node, body) -> bool:
    child = node
    for parent in ts.ancestors(node):
        if parent == body:
            return False
        if parent.type in ("if_statement", "ternary_expression") and parent.child_by_field_name("condition") == child:
            return True
        child = parent
    return False


def _is_log_arg(node) -> bool:
    for parent in ts.ancestors(node):
        if parent.type == "call_expression":
            return _is_log(parent)
    return False


def _inside_call_argument(node, body) -> bool:
    for parent in ts.ancestors(node):
        if parent == body:
            return False
        if parent.type == "arguments":
            return True
    return False


def _handler(node, functions: dict[str, object]):
    """The function a handler argument names: inline, or declared in this file."""
    node = ts.unwrap(node)
    if node is None:
        return None, None
    if node.type in FUNCTION_TYPES:
        return node, None
    if node.type in ("identifier", "member_expression"):
        name = _qualify(member_path(node), node)
        return functions.get(name), name if name and ":" not in name and name.count(".") <= 1 else None
    return None, None


def _guards(ctx, functions: dict[str, object]) -> dict[str, list[int]]:
    """Function -> positions of the parameters it protects: `.use(...)` on the parameter (or a
    variable it is stored in), an authenticating `connection` handler on it, or an `upgrade`
    handler that authenticates before handing sockets to it."""
    data = ctx.source.data
    guards: dict[str, list[int]] = {}
    for name, function in functions.items():
        body = data[function.start_byte : function.end_byte]
        if not (b".use(" in body or b"connect" in body or b"upgrade" in body):
            continue
        params = parameter_names(function)
        if not any(params):
            continue
        protected = set()
        slots = {param: position for position, param in enumerate(params) if param}
        for call in ts.walk(function):
            if call.type in ("assignment_expression", "variable_declarator"):  # io = instance; const server = io
                left = call.child_by_field_name("left" if call.type == "assignment_expression" else "name")
                right = ts.unwrap(call.child_by_field_name("right" if call.type == "assignment_expression" else "value"))
                if right is not None and right.type == "identifier" and ts.text(right) in slots and member_path(left):
                    slots[_qualify(member_path(left), call)] = slots[ts.text(right)]
                continue
            if call.type != "call_expression":
                continue
            fn = call.child_by_field_name("function")
            if fn is None or fn.type != "member_expression":
                continue
            method = ts.text(fn.child_by_field_name("property"))
            args = call_arguments(call)
            if method == "on" and len(args) >= 2 and ts.string_value(args[0]) == "upgrade":
                handler, _ = _handler(args[1], functions)
                if handler is not None:  # upgradeHandler(wss, server): authenticates before wss.handleUpgrade
                    protected.update(slots[handle] for handle in _upgrade_facts(handler)["handles"] if handle in slots)
                continue
            target = _receiver(fn.child_by_field_name("object"), {})
            if target is None or target[0] not in slots:
                continue
            if method == "use" and args:
                protected.add(slots[target[0]])
            elif method == "on" and len(args) >= 2 and ts.string_value(args[0]) in ("connection", "connect"):
                handler, _ = _handler(args[1], functions)
                if handler is not None and authenticates(handler):
                    protected.add(slots[target[0]])
        if protected:
            guards[name] = sorted(protected)
    return guards


def _local_functions(ctx) -> dict[str, object]:
    """Name -> function node for the functions this file declares: declarations, `const f = () =>`,
    `export default`/`module.exports =` functions (as `default`), `exports.f =`, class methods
    and arrow fields (as `Class:this.name`)."""
    functions: dict[str, object] = {}
    for node in ctx.find("function_declaration", "variable_declarator"):
        if node.type == "function_declaration":
            functions[ts.text(node.child_by_field_name("name"))] = node
        else:
            value = ts.unwrap(node.child_by_field_name("value"))
            if value is not None and value.type in FUNCTION_TYPES:
                functions[ts.text(node.child_by_field_name("name"))] = value
    for node in ctx.find("export_statement", "assignment_expression"):  # export default (io) => …; module.exports = function (io) …
        if node.type == "export_statement":
            value = ts.unwrap(node.child_by_field_name("value") or node.child_by_field_name("declaration"))
            name = "default" if any(c.type == "default" for c in node.children) else None
        else:
            value = ts.unwrap(node.child_by_field_name("right"))
            left = member_path(node.child_by_field_name("left"))
            name = "default" if left in ("module.exports", "exports") else left.rpartition(".")[2] if left.startswith(("module.exports.", "exports.")) else None
        if name and value is not None and value.type in FUNCTION_TYPES:
            functions.setdefault(name, value)
    for node in ctx.find("method_definition", "public_field_definition"):
        value = node if node.type == "method_definition" else ts.unwrap(node.child_by_field_name("value"))
        if value is not None and value.type in FUNCTION_TYPES:
            functions[_qualify("this." + ts.text(node.child_by_field_name("name")), node)] = value
    return functions


# A file can create a socket server only if it names socket.io, ws or a loose socket.io class.
_SERVER_NAMES = ("socket", "ws", *sorted(_LOOSE_SOCKET_IO_CLASSES))
_SERVER_WORDS = frozenset(name.encode() for name in _SERVER_NAMES)
_HANDLER_EVENTS = frozenset({b"connect", b"connection", b"upgrade"})
_PROTECTION_WORDS = _HANDLER_EVENTS | {b"use"}
_DISCONNECT_WORDS = frozenset(word.encode() for word in _DISCONNECTS)
_MEMBER_USE = re.compile(rb"\.\s*use\b")  # `io.use(`, not 'use client'
# The identifier a call's source text starts with: its callee's first name (`io` of `io.of(…)`).
_LEADING_NAME = re.compile(rb"[A-Za-z_$\x80-\xff][\w$\x80-\xff]*")


def _leading_name(data: bytes, node) -> bytes | None:
    """None when the node starts with something else (`(`, a template, `\\u…`): then look closer."""
    match = _LEADING_NAME.match(data, node.start_byte)
    return match.group() if match is not None else None


def _servers(ctx) -> tuple[list[dict], list[list]]:
    """The socket servers a file creates, and those handed straight to a function (`passed`)."""
    classes, modules = _classes(ctx)
    servers, passed = [], []
    local_classes = {ts.text(node.child_by_field_name("name")) for node in ctx.find("class_declaration")}
    for node in ctx.find("new_expression", "call_expression"):
        kind = _server_kind(node, classes, modules, local_classes)
        if kind is None:
            continue
        args = call_arguments(node)
        options: set[str] = set()
        opaque = False
        for arg in args:
            value = _const_value(ctx, arg)
            if value is not None and value.type == "object":
                options.update(object_properties(value))
                if any(child.type == "spread_element" for child in value.named_children):
                    opaque = True
            elif _looks_like_options(arg):
                opaque = True  # new Server(http, socketOptions) / config.socket.options / buildWsConfig()
        binding, factory, default = _binding(node)
        if binding is not None and factory is None:
            factory = _returned_by(node, binding)
        handed = _handed_to(node)
        if binding is None and handed is not None:  # initIo(new Server(http)): a name only this call knows
            binding = f"#{node.start_byte}"
            passed.append([handed[0], handed[1], binding])
        servers.append({
            "kind": kind,
            "location": ctx.location(node),
            "binding": binding,
            "factory": factory,
            "default": default,
            "options": sorted(options),
            "opaque": opaque,
        })
    return servers, passed


def collect(ctx):
    """Plain data about one file for phase 2: the socket servers it creates (kind, location,
    binding, factory, options), what it registers on any name (`.use`, `connection` and
    `upgrade` handlers), which local names it exports under which names, calls that bind a
    name to a function's result, values handed to functions, and functions that guard a
    parameter or authenticate a socket.

    No trigger word is sound here: a module that only imports the server (or receives it as
    a parameter) and re-exports, wraps or protects it may name nothing socket-related. So a
    scan collects only the files that may create a server (`eager`), and phase 2 collects the
    others it reaches from a server on demand; most projects have no server and never pay.
    Within a file each kind of fact is gathered only where its text can occur, and a module
    that creates no server keeps only the facts phase 2 can read for it: there a name can hold
    the server only if it is imported, or bound from an imported call or from such a name."""
    path = ctx.source.scope
    if is_test_path(path) or is_story_path(path) or is_declaration_path(path):
        return None
    source = ctx.source
    data, words = source.data, source.words
    servers, passed = _servers(ctx) if not words.isdisjoint(_SERVER_WORDS) else ([], [])
    origin = bool(servers)
    # What protects a server: `.use(…)`, a 'connect'/'connection' or 'upgrade' handler, a
    # function guarding its parameter with one of those, or one that disconnects a socket.
    may_guard = not words.isdisjoint(_PROTECTION_WORDS)
    may_disconnect = not words.isdisjoint(_DISCONNECT_WORDS) and _has_disconnect(data)
    # Without a server, `.use` or a handler here, a call matters only if it may bind or hand on
    # the server: its callee is imported or `require(…)` (local functions guard nothing here).
    registers = origin or not words.isdisjoint(_HANDLER_EVENTS) or b"use" in words and _MEMBER_USE.search(data) is not None
    functions = _local_functions(ctx) if origin or may_guard or may_disconnect else None

    def local_functions() -> dict[str, object]:
        nonlocal functions
        if functions is None:
            functions = _local_functions(ctx)
        return functions

    imported = {local for entry in ctx.module_facts["imports"] for _, local in entry["names"] if local}

    def bound_by_import(callee: str) -> bool:
        return callee.partition(".")[0] in imported and callee.count(".") <= 1

    import_heads = None if registers else {name.encode() for name in imported} | {b"require"}

    def unimported_call(node) -> bool:
        """A call whose callee visibly starts with a name that is not imported."""
        if import_heads is None:
            return False
        head = _leading_name(data, node)
        return head is not None and head not in import_heads

    aliases: dict[str, tuple[str, str | None]] = {}
    calls: dict[str, str] = {}
    for node in ctx.find("variable_declarator"):
        name = node.child_by_field_name("name")
        value = ts.unwrap(node.child_by_field_name("value"))
        while value is not None and value.type == "await_expression":
            value = ts.unwrap(value.named_children[0] if value.named_children else None)
        if name is None or name.type != "identifier" or value is None:
            continue
        if value.type == "call_expression":
            if unimported_call(value) and ts.text(name) not in calls and ts.text(name) not in aliases:
                continue  # binds no server, and overwrites no name that might
            target = _receiver(value, aliases)
            if target is not None and target[1] is not None:
                aliases[ts.text(name)] = target
            else:
                callee = member_path(value.child_by_field_name("function"))
                required = _required_spec(value.child_by_field_name("function"))
                if required is not None:  # const io = require('./socket-io')(server)
                    calls[ts.text(name)] = "require:" + required
                elif callee and "()" not in callee:
                    # A local factory returns a server only where one is created; elsewhere its
                    # result matters only when it rebinds a name an imported call bound before.
                    local = ts.text(name)
                    if bound_by_import(callee) or (origin or local in calls) and callee in local_functions():
                        calls[local] = callee
        elif value.type in ("identifier", "member_expression") and member_path(value):
            aliases[ts.text(name)] = (member_path(value), None)

    if functions is None:
        functions = {}
    uses, connections, upgrades = [], [], []
    for node in ctx.find("call_expression"):
        if unimported_call(node):
            continue
        function = node.child_by_field_name("function")
        if function is None:
            continue
        args = None
        if function.type == "member_expression":
            method = ts.text(function.child_by_field_name("property"))
            if method == "use":
                args = call_arguments(node)
                if args:
                    target = _receiver(function.child_by_field_name("object"), aliases)
                    if target is not None:
                        uses.append(list(target))
                continue  # `x.use()` hands nothing on
            if method in ("on", "once", "addListener"):
                args = call_arguments(node)
                if len(args) >= 2:
                    event = ts.string_value(args[0])
                    if event in ("connection", "connect"):
                        target = _receiver(function.child_by_field_name("object"), aliases)
                        handler, ref = _handler(args[1], functions)
                        if target is not None:
                            connections.append({
                                "base": target[0], "ns": target[1],
                                "auth": authenticates(handler) if handler is not None else None,
                                "ref": ref if handler is None else None,
                                "location": ctx.location(node, note="connection handler that serves events without checking credentials first"),
                            })
                    elif event == "upgrade":
                        handler, _ = _handler(args[1], functions)
                        if handler is not None:
                            upgrades.append(_upgrade_facts(handler))
                    continue
        callee = member_path(function)
        required = _required_spec(function)
        if required is not None:  # require('./socket-auth')(io)
            callee = "require:" + required
        if callee and "()" not in callee and (required or callee in functions or bound_by_import(callee)):
            for position, arg in enumerate(args if args is not None else call_arguments(node)):
                arg = ts.unwrap(arg)
                if arg is not None and arg.type == "identifier":
                    passed.append([callee, position, ts.text(arg)])
                elif arg is not None and arg.type == "member_expression" and member_path(arg).startswith("this."):
                    passed.append([callee, position, _qualify(member_path(arg), arg)])

    guards = _guards(ctx, functions) if may_guard else {}
    socket_auth = {
        name: True for name, function in functions.items()
        if _has_disconnect(data, function.start_byte, function.end_byte) and authenticates(function)
    } if may_disconnect else {}
    plain_aliases = {k: list(v) for k, v in aliases.items() if v[1] is None}

    if origin:
        exports = _exports(ctx)
    else:
        # Phase 2 follows only names that may hold the server; here those are the candidates.
        holders = imported | calls.keys() | plain_aliases.keys()

        def may_hold(name: str) -> bool:
            return name.partition(".")[0] in holders

        passed = [
            entry for entry in passed
            if entry[2] in holders and (entry[0].startswith("require:") or bound_by_import(entry[0]) or entry[0] in guards)
        ]
        plain_aliases = {name: target for name, target in plain_aliases.items() if may_hold(target[0])}
        exports = {name: exported for name, exported in _exports(ctx).items() if may_hold(name)} if holders else {}

    facts = {
        "servers": servers, "uses": uses, "connections": connections, "upgrades": upgrades,
        "passed": passed, "calls": calls, "guards": guards, "socket_auth": socket_auth,
        "exports": exports, "aliases": plain_aliases,
    }
    return {key: value for key, value in facts.items() if value} or None


_DISCONNECT_CALLS = tuple(f".{word}(".encode() for word in _DISCONNECTS)


def _has_disconnect(data: bytes, start: int = 0, end: int | None = None) -> bool:
    return any(data.find(call, start, end) != -1 for call in _DISCONNECT_CALLS)


def _looks_like_options(node) -> bool:
    node = ts.unwrap(node)
    if node is None:
        return False
    if node.type == "call_expression":
        node = node.child_by_field_name("function")
    path = member_path(node) if node is not None and node.type in ("identifier", "member_expression") else ""
    return bool(set(name_words(path)) & {"OPTIONS", "OPTS", "CONFIG", "SETTINGS", "CONF", "CFG"})


def _const_value(ctx, node):
    node = ts.unwrap(node)
    if node is None or node.type != "identifier":
        return node
    name = ts.text(node)
    for declarator in ctx.find("variable_declarator"):
        if ts.text(declarator.child_by_field_name("name")) == name and declarator.start_byte < node.start_byte:
            value = ts.unwrap(declarator.child_by_field_name("value"))
            return value if value is not None and value.type == "object" else None
    return None


def _exports(ctx) -> dict[str, list[str]]:
    """Local binding -> names other modules import it by."""
    out: dict[str, set[str]] = {}
    # `module.exports = …` / `exports.x = …` name `exports`; other assignments export nothing
    exporting = ("export_statement", "assignment_expression") if b"exports" in ctx.source.words else ("export_statement",)
    for node in ctx.find(*exporting):
        if node.type == "export_statement":
            if node.child_by_field_name("source") is not None:
                continue
            declaration = node.child_by_field_name("declaration")
            if declaration is not None:
                is_default = any(c.type == "default" for c in node.children)
                for name in declared_names(declaration):
                    out.setdefault(name, set()).add("default" if is_default else name)
                continue
            value = node.child_by_field_name("value")
            if value is not None and any(c.type == "default" for c in node.children):
                path = member_path(value)
                if path:
                    out.setdefault(path, set()).add("default")
            for clause in node.named_children:
                for child in clause.named_children if clause.type == "export_clause" else ():
                    name = ts.text(child.child_by_field_name("name"))
                    out.setdefault(name, set()).add(ts.text(child.child_by_field_name("alias") or child.child_by_field_name("name")))
        else:
            left = member_path(node.child_by_field_name("left"))
            right = ts.unwrap(node.child_by_field_name("right"))
            if right is None:
                continue
            if left in ("module.exports", "exports"):
                if right.type == "object":
                    for key, value in object_properties(right).items():
                        path = member_path(value)
                        if path:
                            out.setdefault(path, set()).add(key)
                elif member_path(right):
                    out.setdefault(member_path(right), set()).add("default")
            elif left.startswith(("module.exports.", "exports.")) and member_path(right):
                out.setdefault(member_path(right), set()).add(left.rsplit(".", 1)[-1])
    return {name: sorted(names) for name, names in out.items()}


# --- phase 2: follow each server through the module graph -------------------------------------


def _reach(index, facts, origin: str, server: dict) -> dict[str, tuple[set[str], set[str]]]:
    """Module -> (local names holding the server, local names of functions returning it),
    following exports to importers through the module graph's edge names."""
    seen: dict[str, tuple[set[str], set[str]]] = {}
    queue = deque()
    handles = {server["binding"]} if server["binding"] else set()
    producers = {server["factory"]} if server["factory"] else set()
    queue.append((origin, handles, producers, {"default"} if server["default"] else set(), set()))
    exported: dict[str, tuple[set[str], set[str]]] = {}
    while queue:
        path, handles, producers, reexported_handles, reexported_producers = queue.popleft()
        own = facts.get(path) or {}
        old_handles, old_producers = seen.get(path, (set(), set()))
        old_out_handles, old_out_producers = exported.get(path, (set(), set()))
        handles = set(handles) | old_handles
        producers = set(producers) | old_producers
        for local, callee in own.get("calls", {}).items():
            if callee in producers:
                handles.add(local)
            elif callee.startswith("require:"):
                module = index.resolve(path, callee[len("require:"):])
                if module is not None and "default" in exported.get(module, (set(), set()))[1]:
                    handles.add(local)
        for local, (target, _) in own.get("aliases", {}).items():
            if target in handles:
                handles.add(local)
        exports = own.get("exports", {})
        out_handles = old_out_handles | set(reexported_handles) | {name for h in handles for name in exports.get(h, ())}
        out_producers = old_out_producers | set(reexported_producers) | {name for p in producers for name in exports.get(p, ())}
        out_producers |= producers & {"default"}  # module.exports = function (server) { return new Server(server) }
        if path in seen and (handles, producers, out_handles, out_producers) == (old_handles, old_producers, old_out_handles, old_out_producers):
            continue  # nothing new here: also ends cycles of re-exports
        seen[path] = (handles, producers)
        exported[path] = (out_handles, out_producers)
        if not out_handles and not out_producers:
            continue
        for importer in index.importers_of(path):
            edge = index.modules.get_edge_data(importer, path) or {}
            if edge.get("type_only"):
                continue
            reexport = edge.get("reexport")
            next_handles, next_producers, next_out_handles, next_out_producers = set(), set(), set(), set()
            touched = False
            for imported, local in edge.get("names", []):
                if imported == "*":
                    if reexport:
                        if local == "*":  # export * from './io'
                            next_out_handles |= out_handles - {"default"}
                            next_out_producers |= out_producers - {"default"}
                        continue
                    if not local:
                        touched = touched or edge.get("kind") == "require" and "default" in out_producers  # require('./f')(server)
                        continue
                    if edge.get("kind") == "require":  # const io = require('./io') of `module.exports = io`
                        if "default" in out_handles:
                            next_handles.add(local)
                        if "default" in out_producers:
                            next_producers.add(local)
                    next_handles |= {f"{local}.{n}" for n in out_handles}
                    next_producers |= {f"{local}.{n}" for n in out_producers}
                    continue
                if imported in out_handles and local:
                    (next_out_handles if reexport else next_handles).add(local)
                if imported in out_producers and local:
                    (next_out_producers if reexport else next_producers).add(local)
            if touched or next_handles or next_producers or next_out_handles or next_out_producers:
                queue.append((importer, next_handles, next_producers, next_out_handles, next_out_producers))
    return seen


def _guarded_by_call(index, facts, path: str, handles: set[str]) -> bool:
    """The server is handed to a function (here or imported) that registers middleware on it."""
    own = facts.get(path) or {}
    for callee, position, arg in own.get("passed", []):
        if arg not in handles:
            continue
        if position in own.get("guards", {}).get(callee, ()):
            return True
        target = _imported_function(index, path, callee)
        if target is not None:
            module, name = target
            if position in (facts.get(module) or {}).get("guards", {}).get(name, ()):
                return True
    return False


def _imported_function(index, path: str, local: str, depth: int = 0):
    """(module, exported name) a local name is imported from, through re-exports."""
    if local.startswith("require:"):
        module = index.resolve(path, local[len("require:"):])
        return (module, "default") if module is not None else None
    head, _, member = local.partition(".")
    for imported_module in index.modules.successors(path) if path in index.modules else ():
        edge = index.modules.get_edge_data(path, imported_module) or {}
        for imported, bound in edge.get("names", []):
            if bound != head:
                continue
            if imported == "*":
                name = member or ("default" if edge.get("kind") == "require" else None)  # socketAuth(io) of `module.exports = fn`
            else:
                name = imported if not member else None
            if name is None:
                continue
            return _through_reexports(index, imported_module, name, depth)
    return None


def _through_reexports(index, module: str, name: str, depth: int):
    if depth > 8:
        return module, name
    for target in index.modules.successors(module):
        edge = index.modules.get_edge_data(module, target) or {}
        if not edge.get("reexport"):
            continue
        for imported, alias in edge.get("names", []):
            if alias == name and imported != "*":
                return _through_reexports(index, target, imported, depth + 1)
            if alias == "*" and imported == "*" and name in index.files.get(target, {}).get("module", {}).get("exports", ()):
                return _through_reexports(index, target, name, depth + 1)
    return module, name


def _protected(index, facts, server: dict, reach) -> bool:
    """Whether anything that can reach the server authenticates its connections."""
    if server["opaque"]:
        return True
    options = set(server["options"])
    if server["kind"] == "socket.io" and "allowRequest" in options:
        return True
    if server["kind"] == "ws" and "verifyClient" in options:
        return True
    root_open = False
    namespaces: dict[str, bool] = {}
    for path, (handles, _) in reach.items():
        own = facts.get(path) or {}
        if not handles:
            continue
        for base, ns in own.get("uses", []) if server["kind"] == "socket.io" else ():  # a `ws` server has no `.use`
            if base in handles:
                if ns is None:
                    return True
                namespaces[ns] = True
        for connection in own.get("connections", []):
            if connection["base"] not in handles:
                continue
            auth = connection["auth"]
            if auth is None and connection["ref"]:
                target = _imported_function(index, path, connection["ref"])
                auth = bool(target and (facts.get(target[0]) or {}).get("socket_auth", {}).get(target[1]))
            if connection["ns"] is None:
                if auth:
                    return True
                root_open = True
            elif auth:
                namespaces[connection["ns"]] = True
            else:
                namespaces.setdefault(connection["ns"], False)
        for upgrade in own.get("upgrades", []):
            if upgrade["auth"] and (set(upgrade["handles"]) & handles or not upgrade["handles"] and not upgrade["open"]):
                return True
        if _guarded_by_call(index, facts, path, handles):
            return True
    return bool(namespaces) and all(namespaces.values()) and not root_open


@rule(
    code="TS106",
    slug="unauthenticated-socket-server",
    level="error",
    cwe=306,
    summary="Socket server without authentication",
    target="project",
    collect=collect,
    eager=_SERVER_NAMES,
    security_severity=7.5,
    tags=("security", "websocket"),
)
def check(ctx):
    index = ctx.index
    facts = index.facts("TS106")
    for path, own in sorted(facts.items()):
        for server in own.get("servers", []):
            reach = _reach(index, facts, path, server)
            if _protected(index, facts, server, reach):
                continue
            related = [
                connection["location"]
                for module, (handles, _) in sorted(reach.items())
                for connection in (facts.get(module) or {}).get("connections", [])
                if connection["base"] in handles and connection["auth"] is not True and "location" in connection
            ][:5]
            modules = sorted(p for p, (handles, _) in reach.items() if handles)
            others = [p for p in modules if p != path]
            binding = server["binding"] or "#"
            name = "io" if binding.startswith("#") else binding.rpartition(":")[2]  # `Gateway:this.io` -> `this.io`
            where = ""
            if others:
                where = f" (searched this module and the {len(others)} module{'s' if len(others) > 1 else ''} that use{'' if len(others) > 1 else 's'} it)"
            if server["kind"] == "socket.io":
                message = (
                    f"socket.io server without authentication: no `{name}.use(...)` middleware, no `allowRequest` option and no "
                    f"`connection` handler that checks credentials first{where}; anyone who can reach it can connect, join rooms and receive broadcasts"
                )
            else:
                message = (
                    f"`ws` server without authentication: no `verifyClient` option and no `upgrade` handler that checks credentials "
                    f"before `handleUpgrade`{where}; anyone who can reach it can connect and exchange messages"
                )
            ctx.report(
                server["location"],
                message,
                related=tuple(related),
            )
