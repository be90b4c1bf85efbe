"""## What it finds
A request handler (Next.js route handler or server action, Pages API route, Express /
Fastify / Hono / Koa route) that reads client input — `req.body`, `request.body`,
`req.query`, `request.query`, `ctx.request.body`, `await request.json()`,
`await request.formData()`, `formData.get(...)`, `searchParams.get(...)`, Hono's
`c.req.json()` / `c.req.query()` / `c.req.parseBody()` — and uses it with no schema check
anywhere in the handler: no zod `parse`/`safeParse`/`parseAsync`, valibot `parse`, yup or joi
`validate`, superstruct `assert`/`create`, class-validator `validate`, express-validator
`validationResult`, no Fastify route `schema`, no validating middleware or wrapper
(`zValidator(...)`, `celebrate(...)`, `withValidation(schema, handler)`), no next-safe-action /
tRPC `.schema(...)`/`.input(...)`. The finding points at the first read.

## Why it matters in production
TypeScript types vanish at runtime: `const { amount } = await req.json() as Order` accepts
`{"amount": "-1e9"}`, arrays where strings were expected, extra keys that reach the database
(mass assignment), and objects that crash the handler deep inside with a 500. A schema at the
edge turns all of these into one clear 400 and gives the rest of the code values it can trust.

## Example
```ts
export async function POST(request: Request) {
  const { email, plan } = await request.json();
  await db.insert(subscriptions).values({ email, plan });
}
```

## Use instead
```ts
const Body = z.object({ email: z.string().email(), plan: z.enum(['free', 'pro']) });
export async function POST(request: Request) {
  const parsed = Body.safeParse(await request.json());
  if (!parsed.success) return Response.json(parsed.error.flatten(), { status: 400 });
  await db.insert(subscriptions).values(parsed.data);
}
```

## Not flagged
Handlers that validate the input anywhere in their body or through their route (a Fastify
`schema` option, validating middleware in the same route, a wrapper given a schema); handlers
that read the input but never use it (`await request.json()` to drain a body); values reduced
to a number or a comparison on the spot (`Number(searchParams.get('page'))`,
`searchParams.get('sort') === 'asc'`); path parameters (`req.params`); code outside request
handlers; tests.

## How to suppress
`// prodlint-ignore TS108: the webhook body is verified by its signature below`

## References
- https://cwe.mitre.org/data/definitions/20.html
- https://zod.dev/?id=basic-usage
- https://fastify.dev/docs/latest/Reference/Validation-and-Serialization/
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import FUNCTION_TYPES, call_arguments, callee_path, member_path, object_properties

_INPUT_MEMBERS = {"body", "query"}
_INPUT_METHODS = {"json", "formData", "parseBody"}  # request.json(), c.req.parseBody()
_GETTERS = {"get", "getAll"}  # searchParams.get('x'), formData.get('x')
_NOT_REQUEST_OBJECTS = {"c", "ctx", "context", "res", "reply", "response", "resp", "h"}
_HONO_GETTERS = {"query", "queries", "json", "parseBody", "formData"}
_READ_NAMES = _INPUT_MEMBERS | _INPUT_METHODS | _HONO_GETTERS | _GETTERS
# Every read `_is_read` accepts has one of those names as a member's property (`.body`, `?.get(`):
# a file that has the words only elsewhere (a `query:` key, a `body` variable) has no read.
_READ_MEMBER = re.compile(rf"\.\s*(?:{'|'.join(sorted(_READ_NAMES))})\b".encode())
_VALIDATE_METHODS = {
    "parse", "safeParse", "parseAsync", "safeParseAsync", "spa", "validate", "validateSync", "validateAsync",
    "validateOrReject", "assert", "create", "is", "decode", "check", "cast", "isValid", "isValidSync", "attempt",
}
_VALIDATE_NAME = re.compile(r"valid|schema|sanitiz|^assert|^parse[A-Z]|celebrate|checkSchema|Validator", re.I)
# Signature checks of webhooks: the body comes from a known sender (`stripe.webhooks.constructEvent`).
_VERIFY_NAME = re.compile(r"^verify|constructEvent|^unwrap$", re.I)
_NOT_VALIDATION = {
    "JSON.parse", "parseInt", "parseFloat", "Number.parseInt", "Number.parseFloat", "qs.parse", "querystring.parse",
    "url.parse", "path.parse", "Date.parse", "cookie.parse", "parse", "new URL",
}
_CHAIN_SCHEMA_METHODS = {"schema", "inputSchema", "input", "bindArgsSchemas", "validator", "body", "query"}
_PASS_THROUGH = {"String", "decodeURIComponent", "decodeURI", "JSON.parse", "Object.fromEntries", "Array.from", "structuredClone"}
_COMPARISONS = {"===", "!==", "==", "!="}
_NARROWING = {"Number", "parseInt", "parseFloat", "Boolean", "Number.parseInt", "Number.parseFloat", "isNaN", "Number.isNaN"}


def _is_read(semantics, node, handler) -> bool:
    """`node` is one of the client-input reads this rule tracks."""
    if node.type == "member_expression":
        prop = ts.text(node.child_by_field_name("property"))
        if prop not in _INPUT_MEMBERS:
            return False
        parent = node.parent
        if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node:
            return False  # c.req.query('x') is handled as a call
        return semantics.is_request_derived(node, handler)
    if node.type == "call_expression":
        function = ts.unwrap(node.child_by_field_name("function"))
        if function is None or function.type != "member_expression":
            return False
        method = ts.text(function.child_by_field_name("property"))
        obj = ts.unwrap(function.child_by_field_name("object"))
        if obj is None:
            return False
        obj_path = member_path(obj)
        if obj_path.rsplit(".", 1)[-1] in _NOT_REQUEST_OBJECTS:
            return False  # Hono's `c.json(...)` writes the response
        if method in _INPUT_METHODS or (method in _HONO_GETTERS and obj_path.endswith(".req")):
            return semantics.is_request_derived(obj, handler)
        if method in _GETTERS:
            last = obj_path.rsplit(".", 1)[-1] if obj_path else ""
            looks = last in ("searchParams", "formData", "form", "query", "params") or "search" in last.lower() or "form" in last.lower()
            return looks and semantics.is_request_derived(obj, handler)
    return False


def _outermost(node):
    """Climb through `await`, parentheses and type assertions to the expression that holds the read."""
    while node.parent is not None and node.parent.type in (
        "await_expression", "parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression",
    ):
        node = node.parent
    return node


def _narrowed(node) -> bool:
    """The read is consumed on the spot by a comparison or a numeric/boolean conversion."""
    outer = _outermost(node)
    parent = outer.parent
    # `searchParams.get('x') ?? 'asc'` then compared: look one level through fallbacks
    if parent is not None and parent.type == "binary_expression" and ts.text(parent.child_by_field_name("operator")) in ("??", "||"):
        outer = _outermost(parent)
        parent = outer.parent
    if parent is None:
        return False
    if parent.type == "binary_expression" and ts.text(parent.child_by_field_name("operator")) in _COMPARISONS:
        return True
    if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
        return callee_path(parent.parent) in _NARROWING
    if parent.type == "unary_expression" and ts.text(parent).startswith("!"):
        return True
    if parent.type in ("if_statement", "while_statement", "ternary_expression") and parent.child_by_field_name("condition") == outer:
        return True  # only its truthiness is used: `if (searchParams.get('debug'))`
    return False


def _bound_names(node):
    """Names the read is stored into (`const body = await req.json()`, `const { a, b } = req.body`),
    or None when the value is used directly (an argument, a return, an object property)."""
    outer = _outermost(node)
    # `req.body.email` / `req.query.page`: the read continues into a member access
    # and through method chains on it (`request.json().catch(() => null)`)
    while outer.parent is not None and (
        (outer.parent.type in ("member_expression", "subscript_expression") and outer.parent.child_by_field_name("object") == outer)
        or (outer.parent.type == "call_expression" and outer.parent.child_by_field_name("function") == outer)
        or (outer.parent.type == "binary_expression" and ts.text(outer.parent.child_by_field_name("operator")) in ("||", "??"))
        or (outer.parent.type == "arguments" and callee_path(outer.parent.parent) in _PASS_THROUGH)
    ):
        outer = _outermost(outer.parent.parent if outer.parent.type == "arguments" else outer.parent)
    parent = outer.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == outer:
        from linter.semantics import pattern_bindings

        return pattern_bindings(parent.child_by_field_name("name"))
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == outer:
        from linter.semantics import pattern_bindings

        left = ts.unwrap(parent.child_by_field_name("left"))
        return pattern_bindings(left) if left is not None and left.type in ("identifier", "object_pattern", "array_pattern") else None
    if parent.type == "expression_statement":
        return []  # read and discarded
    return None


def _used(name: str, handler, declarator) -> bool:
    for node in ts.walk(handler):
        if node.type in ("identifier", "shorthand_property_identifier") and ts.text(node) == name:
            if declarator.start_byte <= node.start_byte < declarator.end_byte and _in_pattern(node, declarator):
                continue
            return True
    return False


def _in_pattern(node, declarator) -> bool:
    name = declarator.child_by_field_name("name") or declarator.child_by_field_name("left")
    return name is not None and name.start_byte <= node.start_byte < name.end_byte


def _validating_call(semantics, call, handler, from_reads=frozenset()) -> bool:
    path = callee_path(call)
    if path in _NOT_VALIDATION or path.startswith("JSON."):
        return False
    method = path.rsplit(".", 1)[-1] if path else ""
    args = call_arguments(call)
    function = ts.unwrap(call.child_by_field_name("function"))
    if function is not None and function.type == "member_expression":
        method = ts.text(function.child_by_field_name("property"))
    if method == "validationResult":
        return True
    if method in _VALIDATE_METHODS or _VALIDATE_NAME.search(method or "") or _VERIFY_NAME.search(method or ""):
        return any(
            semantics.is_request_derived(part, handler) or _is_read(semantics, part, handler)
            or (part.type in ("identifier", "shorthand_property_identifier") and ts.text(part) in from_reads)
            for arg in args
            for part in ts.walk(arg)
            if part.type in ("identifier", "shorthand_property_identifier", "member_expression", "call_expression", "await_expression")
        )
    return False


def _contains_read(semantics, node, handler) -> bool:
    return any(_is_read(semantics, child, handler) for child in ts.walk(node) if child.type in ("member_expression", "call_expression"))


def _validated_by_route(handler) -> bool:
    """A Fastify `schema`, validating middleware beside the handler, a wrapper given a schema,
    a next-safe-action/tRPC chain with `.schema(…)`/`.input(…)`."""
    node = handler
    parent = node.parent
    # { schema, handler } options object
    if parent is not None and parent.type == "pair" and parent.parent is not None and parent.parent.type == "object":
        if "schema" in object_properties(parent.parent):
            return True
        node = parent.parent
        parent = node.parent
    if parent is None or parent.type != "arguments":
        return False
    call = parent.parent
    for arg in call_arguments(call):
        arg = ts.unwrap(arg)
        if arg is None or arg == node:
            continue
        if arg.type == "object" and "schema" in object_properties(arg):
            return True
        if arg.type in ("call_expression", "identifier", "member_expression", "array"):
            if _VALIDATE_NAME.search(ts.text(arg)[:200]):
                return True
    # chain: actionClient.schema(S).action(fn), publicProcedure.input(S).mutation(fn)
    function = ts.unwrap(call.child_by_field_name("function"))
    while function is not None and function.type == "member_expression":
        inner = ts.unwrap(function.child_by_field_name("object"))
        if inner is None or inner.type != "call_expression":
            break
        inner_function = ts.unwrap(inner.child_by_field_name("function"))
        if inner_function is not None and inner_function.type == "member_expression" and ts.text(inner_function.child_by_field_name("property")) in _CHAIN_SCHEMA_METHODS:
            return True
        function = inner_function
    return False


_SEGMENT = re.compile(r"\[(?:\.\.\.)?([A-Za-z_$][\w$]*)\]")


def _path_parameters(path: str) -> set[str]:
    """`pages/api/notes/[noteId].ts` -> {noteId}: Next.js hands path segments in through `req.query`."""
    return set(_SEGMENT.findall(path)) if "pages/" in path or "/api/" in path else set()


def _only_path_parameters(read, names, segments) -> bool:
    if not segments or read.type != "member_expression" or ts.text(read.child_by_field_name("property")) != "query":
        return False
    parent = _outermost(read).parent
    if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == _outermost(read):
        return ts.text(parent.child_by_field_name("property")) in segments
    if parent is not None and parent.type == "subscript_expression":
        return ts.string_value(parent.child_by_field_name("index")) in segments
    if parent is not None and parent.type == "variable_declarator":
        pattern = parent.child_by_field_name("name")
        if pattern is not None and pattern.type == "object_pattern":
            from linter.semantics import destructured

            keys = [key for _binding, key, _default in destructured(pattern)]
            return bool(keys) and len(keys) == len([c for c in pattern.named_children if c.type != "comment"]) and set(keys) <= segments
    return False


def _enclosing_bindings(read) -> list[str]:
    """Locals the statement holding `read` declares: `const dto = plainToInstance(Dto, req.body)` -> [dto]."""
    from linter.semantics import pattern_bindings

    for parent in ts.ancestors(read):
        if parent.type == "variable_declarator":
            return pattern_bindings(parent.child_by_field_name("name"))
        if parent.type.endswith("statement") or parent.type in FUNCTION_TYPES:
            break
    return []


def _derived_names(ctx, handler, names) -> set[str]:
    """`names` and the locals computed from them (`const lang = form.get('lang')`), two steps deep."""
    from linter.semantics import pattern_bindings

    derived = set(names)
    declarators = ctx.find_in(handler, "variable_declarator")
    for _ in range(2):
        for declarator in declarators:
            value = declarator.child_by_field_name("value")
            if value is not None and any(n.type == "identifier" and ts.text(n) in derived for n in ts.walk(value)):
                derived.update(pattern_bindings(declarator.child_by_field_name("name")))
    return derived


def _forwarded(read) -> bool:
    """`init.body = request.body`, `{ body: req.body }`: a proxy streams the body on unread."""
    if read.type != "member_expression" or ts.text(read.child_by_field_name("property")) != "body":
        return False
    outer = _outermost(read)
    parent = outer.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == outer:
        return member_path(parent.child_by_field_name("left")).endswith(".body")
    if parent.type == "pair" and parent.child_by_field_name("value") == outer:
        return ts.text(parent.child_by_field_name("key")) == "body"
    return False


_CHECK_CALLS = re.compile(r"\.(includes|has|test|find|some|every|indexOf|match)\(|\btypeof\b|\binstanceof\b|\bisValid|\bis[A-Z]\w*\(")


def _guarded(ctx, handler, names) -> bool:
    """A bound name is checked against an allowlist, a type or a pattern by an `if` that
    returns or throws: `if (!LANGS.includes(lang)) throw …`. A bare presence check is not enough."""
    for node in ctx.find_in(handler, "if_statement"):
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        if condition is None or consequence is None:
            continue
        used = {ts.text(n) for n in ts.walk(condition) if n.type == "identifier"} & set(names)
        if not used:
            continue
        text = ts.text(condition)
        compared = _CHECK_CALLS.search(text) or any(
            n.type == "binary_expression" and ts.text(n.child_by_field_name("operator")) in ("===", "!==", "==", "!=", "<", ">", "<=", ">=")
            and ts.string_value(n.child_by_field_name("right")) is None and ts.text(n.child_by_field_name("right")) not in ("null", "undefined")
            for n in ts.walk(condition)
        )
        if compared and any(n.type in ("return_statement", "throw_statement") for n in ts.walk(consequence)):
            return True
    return False


_HELPER_NAME = re.compile(r"^(get|parse|read|extract|collect|to)\w*(Body|Params|Query|Input|Data|Payload|Form)\w*$")


def _takes_request(function) -> bool:
    parameters = function.child_by_field_name("parameters")
    for item in parameters.named_children[:2] if parameters is not None else ():
        annotation = item.child_by_field_name("type") if item.type in ("required_parameter", "optional_parameter") else None
        if annotation is not None and _REQUEST_TYPES.match(ts.text(annotation).lstrip(": ").strip()):
            return True
    return False


def _first_unvalidated_read(ctx, handler):
    semantics = ctx.semantics
    segments = _path_parameters(semantics.path)
    reads = []
    body = handler.child_by_field_name("body")
    if body is None:
        return None
    for node in ctx.find_in(body, "member_expression", "call_expression"):
        if not _is_read(semantics, node, handler):
            continue
        inner = next((parent for parent in ts.ancestors(node) if parent.type in FUNCTION_TYPES), None)
        if inner is not None and inner != handler and (inner in semantics.request_handlers or _takes_request(inner)):
            continue  # a nested handler is judged on its own
        reads.append(node)
    if not reads:
        return None
    if _validated_by_route(handler):
        return None
    from_reads = _derived_names(ctx, handler, [name for read in reads for name in _enclosing_bindings(read)])
    for call in ctx.find_in(body, "call_expression"):
        if _validating_call(semantics, call, handler, from_reads):
            return None
    for read in reads:
        if _narrowed(read) or any(other != read and other.start_byte <= read.start_byte and read.end_byte <= other.end_byte for other in reads):
            continue
        if _forwarded(read):
            continue
        names = _bound_names(read)
        if _only_path_parameters(read, names, segments):
            continue
        if names and _guarded(ctx, handler, _derived_names(ctx, handler, names)):
            continue
        if names is None:
            return read
        declarator = _outermost(read).parent
        while declarator is not None and declarator.type not in ("variable_declarator", "assignment_expression"):
            declarator = declarator.parent
        if declarator is not None and any(_used(name, handler, declarator) for name in names):
            return read
    return None


_REQUEST_TYPE_NAMES = ("Request", "NextRequest", "NextApiRequest", "FastifyRequest", "IncomingMessage", "HonoRequest")
_REQUEST_TYPES = re.compile(rf"^(?:\w+\.)?({'|'.join(_REQUEST_TYPE_NAMES)})\b(?!\s*\[)")
_REQUEST_TYPE_WORDS = frozenset(name.encode() for name in _REQUEST_TYPE_NAMES)
_ROUTE_MODULE = re.compile(r"(^|/)(app/)?routes/")


def _handlers(ctx):
    """`ctx.semantics.request_handlers`, plus functions that plainly take the request
    (a parameter typed `Request`/`NextRequest`/`FastifyRequest`…, called from a route elsewhere)
    and Remix / React Router `loader`/`action` exports in `routes/` modules."""
    semantics = ctx.semantics
    handlers = list(semantics.request_handlers)
    seen = set(handlers)
    remix = bool(_ROUTE_MODULE.search(semantics.path))
    if not remix and ctx.source.words.isdisjoint(_REQUEST_TYPE_WORDS):
        return handlers  # no parameter here can be typed as a request: no function's parameters need reading
    for node in ctx.find(*FUNCTION_TYPES):
        if node in seen:
            continue
        parameters = node.child_by_field_name("parameters")
        if parameters is None:
            continue
        typed = False
        for item in parameters.named_children[:2]:
            annotation = item.child_by_field_name("type") if item.type in ("required_parameter", "optional_parameter") else None
            if annotation is not None and _REQUEST_TYPES.match(ts.text(annotation).lstrip(": ").strip()):
                typed = True
        if not typed and remix:
            name = node.child_by_field_name("name")
            if name is None and node.parent is not None and node.parent.type == "variable_declarator":
                name = node.parent.child_by_field_name("name")
            exported = any(parent.type == "export_statement" for parent in ts.ancestors(node))
            typed = exported and ts.text(name) in ("loader", "action", "clientAction") if name is not None else False
        name_node = node.child_by_field_name("name")
        if name_node is None and node.parent is not None and node.parent.type == "variable_declarator":
            name_node = node.parent.child_by_field_name("name")
        if typed and name_node is not None and _HELPER_NAME.match(ts.text(name_node)):
            typed = False  # a body-parsing helper: its caller validates what it returns
        if typed:
            handlers.append(node)
            seen.add(node)
    return handlers


def _describe(node) -> str:
    text = ts.text(node)
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= 60 else text[:57] + "…"


@rule(
    code="TS108",
    slug="unvalidated-request-input",
    level="warning",
    cwe=20,
    summary="Request input used without schema validation",
    target="ts",
    precision="medium",
    security_severity=5.0,
    tags=("security", "input-validation"),
    # Only reads `_is_read` accepts are reported, and each names one of these members or methods.
    triggers=tuple(sorted(_READ_NAMES)),
)
def check(ctx):
    semantics = ctx.semantics
    if not semantics.is_server_code or not _READ_MEMBER.search(ctx.source.data):
        return
    for handler in _handlers(ctx):
        read = _first_unvalidated_read(ctx, handler)
        if read is None:
            continue
        yield ctx.report(
            read,
            f"`{_describe(read)}` is used without a schema check: malformed or hostile input reaches the handler's "
            "logic and database unchecked; validate it first (`Schema.safeParse(...)`, a Fastify route `schema`)",
        )
