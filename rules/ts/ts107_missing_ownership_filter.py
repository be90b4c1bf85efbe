"""## What it finds

In a request handler (Next.js route handler, Pages API handler, server action,
Express/Fastify/Hono/Koa route, also a tRPC procedure's resolver), a single-record read, update or delete keyed by an id the
client chose, with no owner or tenant condition in the query:

- Prisma: `prisma.document.findUnique/findFirst/findUniqueOrThrow/findFirstOrThrow/update/delete/upsert({ where: { id } })`
- Drizzle: `db.query.items.findFirst({ where: eq(items.id, id) })`,
  `db.select().from(items).where(eq(items.id, id))`, `db.update(items).set(…).where(…)`,
  `db.delete(items).where(…)` — alone or inside `and(…)` without an owner column
- Supabase: `supabase.from('items').select/update/delete().eq('id', id)` or `.match({ id })`
- Kysely/Knex: `.where('id', id)`, `.where('id', '=', id)`, `.where({ id })`

"Chosen by the client" means the value flows from the request: route `params` (also
`await params`), `req.params`, `req.query`, `req.body`, `await request.json()`,
`searchParams.get(…)`, `formData.get(…)`, server-action arguments — also after
`Number(…)`, `parseInt`, `String(…)` or a zod `.parse(…)` (validated, still attacker-chosen).
Owner columns: `organizationId`, `orgId`, `tenantId`, `userId`, `ownerId`, `accountId`,
`workspaceId`, `teamId`, `createdBy`, `authorId`, in camelCase or snake_case, plus the
`owner-columns` setting.

## Why it matters in production

Being signed in is not the same as owning the record. When a handler loads, changes or
deletes `items.id = :id` straight from the URL, any user can walk the id space and read or
destroy other customers' data (an insecure direct object reference, OWASP API1: broken
object level authorization). It is the most common way multi-tenant SaaS leaks data, and no
test that logs in as the owner will ever notice it.

## Example

```ts
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const session = await auth();
  const { id } = await params;
  await prisma.invoice.delete({ where: { id } });
}
```

## Use instead

```ts
await prisma.invoice.delete({ where: { id, organizationId: session.user.organizationId } });
// or load, compare and refuse:
const invoice = await prisma.invoice.findUnique({ where: { id } });
if (!invoice || invoice.organizationId !== session.user.organizationId) return notFound();
```

## Not flagged

- An owner column anywhere in the same query (`and(eq(t.id, id), eq(t.orgId, orgId))`,
  `where: { id, team: { members: { some: { userId } } } }`, another `.eq('user_id', …)` in the
  chain, a `select`/`include` that loads the caller's membership); a column that ends in an
  owner column word for word counts (`emailAccountId`, `parent_organization_id`).
- Another condition that narrows the query: a secret column (`eq(links.token, input.token)`)
  or a parent id the server found itself (`eq(posts.pageId, page.id)`).
- A result checked before it is returned or changed: compared with the owner
  (`if (row.organizationId !== user.organizationId) return 403`, `notFound()`, `throw`), a
  parent id compared with a trusted one (`if (group.programId !== programId) throw`), a
  password or token compared (`if (link.password !== password)`), a `canAccess(user, row)`-style
  helper, a membership lookup built from the result; `if (existing) throw` uniqueness checks.
- A write preceded in the same block by such a check, by an authorization helper that takes
  the id, by a read of the same id that filters by owner, or by a loader that takes the id with
  a scope (`getPostbackOrThrow({ postbackId, partnerId: partner.id })`).
- Ids that do not come from the request: constants, `session.user.id`, `auth().userId`,
  `req.user.id`, `c.get('workspace')`, a tRPC `ctx`.
- Handlers that never learn who is calling (no session/auth call, no `req.user`, no
  authenticating wrapper, procedure or middleware): public by design or unauthenticated,
  which is a different problem. Admin consoles (`app/admin/**`, `adminActionClient`),
  scheduler endpoints (`app/api/cron/**`) and webhooks that verify a signature or compare a
  header with an env secret. Records whose id is the secret itself (invitations, share links,
  tokens). Lookups that select only owner or parent ids (`select: { workspaceId: true }`).
- Where clauses built elsewhere or spread from another object (we cannot see them);
  many-record queries (`findMany` in Prisma, `updateMany`, `deleteMany`); code outside request
  handlers (services called by them).

## How to suppress

`// prodlint-ignore TS107: public share links are readable by anyone` on the line or the
line above.

## References

- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/639.html
"""

import re

from linter import ts
from linter.registry import rule
from linter.semantics import is_secret_like, name_words, call_arguments, callee_path, has_spread, object_properties, pattern_bindings

_OWNER_COLUMNS = (
    "organizationId", "orgId", "tenantId", "userId", "ownerId", "accountId", "workspaceId", "teamId",
    "createdBy", "authorId",
)
# A relation compared by its id in an ownership check: `row.user.id !== session.user.id`.
_OWNER_RELATIONS = {"user", "owner", "organization", "org", "team", "workspace", "tenant", "account", "author", "creator"}
_PRISMA_SINGLE = {"findUnique", "findFirst", "findUniqueOrThrow", "findFirstOrThrow", "update", "delete", "upsert"}
_PRISMA_WRITES = {"update", "delete", "upsert"}
_DRIZZLE_FINDS = {"findFirst", "findMany"}
_DRIZZLE_EQ = {"eq"}
_CHAIN_WRITES = {"update", "delete", "del", "updateTable", "deleteFrom", "upsert"}
_FILTER_METHODS = {"where", "andWhere", "orWhere", "whereIn", "eq", "match", "filter", "in", "is", "whereRef", "innerJoin", "join"}
_ASSERTIONS = {"invariant", "assert", "ok", "strictEqual", "equal", "tinyInvariant"}
_EXITS = {"notFound", "redirect", "forbidden", "unauthorized", "permanentRedirect", "error"}
# `canEditDocument(user, doc)`, `assertOwnership(…)`, `checkAuthorization(…)`, `hasPermission(…)`:
# named for access to a thing, not for signing in (`requireSession()` is authentication only).
_CHECK_HELPER = re.compile(
    r"^(can[A-Z]\w*|authori[sz]e\w*|(has|assert|check|verify|ensure|require|validate)\w*"
    r"(Access|Permission|Owner|Ownership|Member|Membership|Authori[sz]ation|Authori[sz]ed|Role)\w*)$"
)


_ALNUM_ONLY = re.compile(rb"[^a-z0-9]")


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


class _Owners:
    """Owner columns from RULES.md and the `owner-columns` setting. A name is an owner column
    when it is one (any case, `_` or not) or ends in one word for word (`emailAccountId`,
    `parent_organization_id`, `creatorUserId`)."""

    def __init__(self, names) -> None:
        self.exact = {_norm(name) for name in names}
        self.tails = [tuple(word.lower() for word in name_words(name)) for name in names]
        self._known: dict[str, bool] = {}  # a handler names the same keys over and over
        # An owner name's letters and digits, lower-cased, end with one of these: text without
        # any of them names no owner column.
        self.needles = {"".join(tail).encode() for tail in self.tails if tail} | {_ALNUM_ONLY.sub(b"", name.encode()) for name in self.exact}

    def may_name_owner(self, text: bytes) -> bool:
        squeezed = _ALNUM_ONLY.sub(b"", text.lower())
        return any(needle in squeezed for needle in self.needles)

    def owner(self, raw: str) -> bool:
        known = self._known.get(raw)
        if known is None:
            known = self._known[raw] = self._judge(raw)
        return known

    def _judge(self, raw: str) -> bool:
        if _norm(raw) in self.exact:
            return True
        words = tuple(word.lower() for word in name_words(raw))
        return any(len(words) > len(tail) and words[-len(tail):] == tail for tail in self.tails)


def _owner_set(ctx) -> _Owners:
    return _Owners((*_OWNER_COLUMNS, *getattr(ctx.config, "owner_columns", ())))


def _id_like(column: str | None, owners: set[str]) -> bool:
    if not column:
        return False
    column = column.rsplit(".", 1)[-1]
    if owners.owner(column):
        return False
    return column in ("id", "uuid", "_id", "ID", "Id") or bool(re.search(r"[a-z0-9](Id|_id|ID)$", column))


def _mentions_owner(node, owners: set[str]) -> bool:
    """Any key, property, shorthand or string in `node` names an owner column."""
    if node is None or not owners.may_name_owner(node.text):
        return False
    for child in ts.walk(node):
        if child.type in ("property_identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern"):
            if owners.owner(ts.text(child)):
                return True
        elif child.type == "string_fragment":
            text = ts.text(child)
            if any(owners.owner(part) for part in re.split(r"[^A-Za-z0-9_]+", text)):
                return True
    return False


def _chain_calls(call):
    """The calls of the method chain `call` belongs to, outermost first."""
    top = call
    while True:
        parent = top.parent
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == top:
            grand = parent.parent
            if grand is not None and grand.type == "call_expression" and grand.child_by_field_name("function") == parent:
                top = grand
                continue
        if parent is not None and parent.type in ("await_expression", "parenthesized_expression", "non_null_expression"):
            grand = parent.parent
            if grand is not None and grand.type == "member_expression":
                top = parent
                continue
        break
    calls = []
    node = top
    while node is not None:
        node = ts.unwrap(node)
        if node is not None and node.type == "await_expression":
            node = node.named_children[0] if node.named_children else None
            continue
        if node is None or node.type != "call_expression":
            if node is not None and node.type == "member_expression":
                node = node.child_by_field_name("object")
                continue
            break
        calls.append(node)
        function = ts.unwrap(node.child_by_field_name("function"))
        node = function.child_by_field_name("object") if function is not None and function.type == "member_expression" else None
    return calls


def _method(call) -> str:
    function = ts.unwrap(call.child_by_field_name("function"))
    if function is not None and function.type == "member_expression":
        return ts.text(function.child_by_field_name("property"))
    return ts.text(function) if function is not None and function.type == "identifier" else ""


def _method_span(call):
    function = ts.unwrap(call.child_by_field_name("function"))
    start = function.child_by_field_name("property").start_byte if function is not None and function.type == "member_expression" else call.start_byte
    return (start, call.end_byte)


class _Query:
    def __init__(self, call, target, column, value, write, label, others=()):
        self.call, self.target, self.column, self.value, self.write, self.label = call, target, column, value, write, label
        self.others = [(name, item) for name, item in others if item is not value]  # the query's other equalities


def _owner_lookup(options, owners) -> bool:
    """`select: { workspaceId: true }` (only owner or parent ids): the query asks who owns the id, the first step of a check."""
    select = ts.unwrap(object_properties(options).get("select"))
    if select is None or select.type != "object" or has_spread(select):
        return False
    keys = list(object_properties(select))
    return bool(keys) and all(owners.owner(key) or key == "id" or _id_like(key, owners) for key in keys)


def _drizzle_keys(condition, owners):
    """(column, value) of each `eq(t.col, value)` a Drizzle condition requires; None when the
    condition is something we cannot read (`or(...)`, a helper, a variable)."""
    condition = ts.unwrap(condition)
    if condition is None:
        return None
    if condition.type == "arrow_function":  # where: (t, { eq }) => eq(t.id, id)
        body = condition.child_by_field_name("body")
        return _drizzle_keys(body, owners) if body is not None and body.type != "statement_block" else None
    if condition.type != "call_expression":
        return None
    name = callee_path(condition).rsplit(".", 1)[-1]
    args = call_arguments(condition)
    if name in _DRIZZLE_EQ and len(args) == 2:
        column = ts.unwrap(args[0])
        if column is not None and column.type == "member_expression":
            return [(ts.text(column.child_by_field_name("property")), args[1])]
        return []
    if name == "and":
        keys = []
        for arg in args:
            found = _drizzle_keys(arg, owners)
            if found:
                keys.extend(found)
        return keys
    return None


def _queries(ctx, call, owners):
    """The id-keyed single-record query `call` makes, if any, as a `_Query`."""
    function = ts.unwrap(call.child_by_field_name("function"))
    if function is None or function.type != "member_expression":
        return None
    method = ts.text(function.child_by_field_name("property"))
    args = call_arguments(call)
    obj = ts.unwrap(function.child_by_field_name("object"))
    # Prisma and Drizzle relational queries: model.method({ where: … })
    if method in _PRISMA_SINGLE | _DRIZZLE_FINDS and args and obj is not None and obj.type == "member_expression":
        options = ts.unwrap(args[0])
        if options is None or options.type != "object" or has_spread(options):
            return None
        pair = next((c for c in options.named_children if c.type == "pair" and ts.text(c.child_by_field_name("key")) == "where"), None)
        where = ts.unwrap(object_properties(options).get("where"))
        if where is None:
            return None
        target = pair if pair is not None else where
        label = f"{callee_path(call) or method}"
        if where.type == "object" and method in _PRISMA_SINGLE:
            # an owner filter in `select`/`include` (`users: { where: { userId } }`) loads the membership to check
            if has_spread(where) or _mentions_owner(options, owners) or _owner_lookup(options, owners):
                return None
            pairs = list(object_properties(where).items())
            for key, value in pairs:
                if _id_like(key, owners):
                    return _Query(call, target, key, value, method in _PRISMA_WRITES, label, pairs)
            return None
        keys = _drizzle_keys(where, owners)
        if keys is None or _mentions_owner(where, owners):
            return None
        for column, value in keys:
            if _id_like(column, owners):
                return _Query(call, target, column, value, False, label, keys)
        return None
    if method not in ("where", "eq", "match", "andWhere"):
        return None
    chain = _chain_calls(call)
    methods = [_method(c) for c in chain]
    if method == "where" and len(args) == 1 and ts.unwrap(args[0]) is not None and ts.unwrap(args[0]).type == "call_expression":
        # Drizzle query builder: db.select().from(t).where(…), db.update(t).set(…).where(…), db.delete(t).where(…)
        if not ({"from", "update", "delete"} & set(methods)):
            return None
        keys = _drizzle_keys(args[0], owners)
        if not keys or any(_mentions_owner(c.child_by_field_name("arguments"), owners) for c in chain if _method(c) in _FILTER_METHODS):
            return None
        for column, value in keys:
            if _id_like(column, owners):
                write = bool({"update", "delete"} & set(methods))
                return _Query(call, _method_span(call), column, value, write, _root_label(chain), keys)
        return None
    # Supabase .eq('id', id) / .match({ id }) and Knex/Kysely .where('id', id) / .where({ id })
    if method == "eq" and "from" not in methods:
        return None
    column, value = None, None
    first = ts.unwrap(args[0]) if args else None
    if first is None:
        return None
    if first.type == "object" and method in ("where", "match", "andWhere"):
        if has_spread(first):
            return None
        for key, item in object_properties(first).items():
            if _id_like(key, owners):
                column, value = key, item
                break
    elif ts.string_value(first) is not None and len(args) in (2, 3):
        column = ts.string_value(first)
        if len(args) == 3 and ts.string_value(args[1]) not in ("=", "=="):
            return None
        value = args[-1]
    if not _id_like(column, owners):
        return None
    for other in chain:
        if _method(other) in _FILTER_METHODS and _mentions_owner(other.child_by_field_name("arguments"), owners):
            return None
    write = bool(set(methods) & _CHAIN_WRITES)
    return _Query(call, _method_span(call), column, value, write, _root_label(chain), _chain_conditions(chain))


def _chain_conditions(chain):
    """(column, value) of every `.eq('col', v)`, `.where('col', v)`, `.where({ col: v })` in a chain."""
    found = []
    for call in chain:
        if _method(call) not in ("eq", "where", "andWhere", "match"):
            continue
        args = call_arguments(call)
        first = ts.unwrap(args[0]) if args else None
        if first is None:
            continue
        if first.type == "object":
            found.extend(object_properties(first).items())
        elif ts.string_value(first) is not None and len(args) in (2, 3):
            found.append((ts.string_value(first).rsplit(".", 1)[-1], args[-1]))
    return found


def _scoped(ctx, query, handler, owners) -> bool:
    """Another condition narrows the query: a secret column (`token`), or a parent id the
    server found itself (`eq(t.pageId, page.id)` after loading `page`)."""
    for column, value in query.others:
        if not column or column == query.column:
            continue
        if ctx.semantics.is_secret_like(column):
            return True
        literal = ts.unwrap(value)
        if _id_like(column, owners) and literal is not None and literal.type not in ("true", "false", "null", "undefined", "object"):
            if not ctx.semantics.is_request_derived(value, handler):
                return True
    return False


def _root_label(chain) -> str:
    innermost = chain[-1] if chain else None
    if innermost is None:
        return "query"
    path = callee_path(innermost)
    args = call_arguments(innermost)
    table = ts.string_value(ts.unwrap(args[0])) if args else None
    if table is None and args:
        table = ts.text(ts.unwrap(args[0]))
    return f"{path}({table})" if table and len(table) < 40 else (path or "query")


def _exits(node) -> bool:
    for child in ts.walk(node):
        if child.type in ("return_statement", "throw_statement"):
            return True
        if child.type == "call_expression" and callee_path(child).rsplit(".", 1)[-1] in _EXITS:
            return True
    return False


def _owner_compare(condition, owners, names=None, server=None) -> bool:
    """`row.organizationId !== user.organizationId`, `row.user.id !== session.user.id`, or a
    `canAccess(user, row)`-style helper, or (given `server`, true for values the server
    chose) a parent id compared with a trusted one; when `names` is given the condition must
    use one."""
    if names is not None and not any(
        child.type in ("identifier", "shorthand_property_identifier") and ts.text(child) in names for child in ts.walk(condition)
    ):
        return False
    for child in ts.walk(condition):
        if child.type == "member_expression":
            prop = ts.text(child.child_by_field_name("property"))
            if owners.owner(prop):
                return True
            inner = ts.unwrap(child.child_by_field_name("object"))
            if prop == "id" and inner is not None and inner.type == "member_expression":
                if ts.text(inner.child_by_field_name("property")) in _OWNER_RELATIONS:
                    return True
        elif child.type == "call_expression" and _is_check_helper(child):
            return True
        elif child.type == "binary_expression" and server is not None:
            if ts.text(child.child_by_field_name("operator")) not in ("!==", "!=", "===", "=="):
                continue
            left, right = ts.unwrap(child.child_by_field_name("left")), ts.unwrap(child.child_by_field_name("right"))
            for side, other in ((left, right), (right, left)):
                # `dashboard.password !== password`: the record is guarded by a secret the caller must know
                if side is not None and side.type == "member_expression" and is_secret_like(ts.text(side.child_by_field_name("property"))):
                    return True
                # `group.programId !== programId`: the row's parent compared with one the server trusts
                if side is not None and side.type == "member_expression" and _id_like(ts.text(side.child_by_field_name("property")), owners):
                    if other is not None and other.type not in ("null", "undefined", "string", "number") and server(other):
                        return True
    return False


def _uses_request(ctx, call, handler) -> bool:
    sources = ctx.semantics.request_sources(handler)
    return any(
        child.type in ("identifier", "shorthand_property_identifier") and ts.text(child) in sources
        for child in ts.walk(call.child_by_field_name("arguments"))
    )


# Admin consoles reach every tenant on purpose: `app/admin/**`, `adminActionClient.action(…)`.
_ADMIN = re.compile(r"(^|/)(admin|superadmin|backoffice)(/|$)", re.I)
# Records whose id is itself the secret handed to one person: invitations, share links, tokens.
_CAPABILITY = re.compile(r"invit|token|share|verification|magic|otp|passwordReset", re.I)


# Calls and wrappers that tell a handler who is calling: `auth()`, `getServerSession(…)`,
# `requireUser()`, `withWorkspace(async …)`, `protectedProcedure`, `authActionClient`.
_CALLER_CALL = re.compile(r"session|auth|currentuser|requireuser|getuser|whoami|verifytoken|clerk|getkinde", re.I)
_CALLER_WRAPPER = re.compile(r"auth|session|user|workspace|team|org|account|member|protect|partner|tenant|project|login|require|private", re.I)
_CALLER_MEMBERS = {"user", "session", "auth", "locals", "state", "currentUser", "userId", "apiAuth"}
_CRUD_PREFIX = re.compile(r"^(find|create|update|delete|upsert|insert|select|count|aggregate|set|send|log)", re.I)


def _chain_root(node) -> str:
    while node is not None and node.type in ("call_expression", "member_expression"):
        node = node.child_by_field_name("function") if node.type == "call_expression" else node.child_by_field_name("object")
    return ts.text(node) if node is not None and node.type == "identifier" else ""


def _identifies_caller(ctx, handler) -> bool:
    """The handler knows who is calling, so it could filter by owner: it asks for the session
    or user, reads one a middleware stored (`req.user`, `c.get('user')`), is wrapped by an
    authenticating helper or procedure, or is routed behind middleware. A handler that never
    learns its caller is public by design (share pages, webhooks) or lacks authentication,
    a different problem."""
    cache = ctx.__dict__.setdefault("_ts107_caller", {})
    key = handler.start_byte
    if key in cache:
        return cache[key]
    params = ctx.semantics.handler_parameters(handler)
    found = False
    parameters = handler.child_by_field_name("parameters")
    for pattern in ts.walk(parameters) if parameters is not None else ():
        if pattern.type in ("shorthand_property_identifier_pattern", "property_identifier", "identifier") and ts.text(pattern) in (
            "session", "user", "workspace", "ctx", "auth", "currentUser", "organization", "team", "partner", "account"
        ):
            found = True
            break
    child = handler
    for parent in ts.ancestors(handler) if not found else ():
        if parent.type == "call_expression":
            root = _chain_root(parent.child_by_field_name("function"))
            if _CALLER_WRAPPER.search(root) or _CALLER_WRAPPER.search(_method(parent)):
                found = True
                break
            args = call_arguments(parent)
            if len(args) > 2 and ts.unwrap(args[-1]) == handler:
                found = True  # router.get('/x', requireUser, handler): middleware runs first
                break
        elif parent.type in ("program", "statement_block"):
            break
        child = parent
    if not found:
        for node in ts.walk(handler):
            if node.type == "call_expression":
                name = (callee_path(node) or "").rsplit(".", 1)[-1]
                if name and _CALLER_CALL.search(name) and not _CRUD_PREFIX.match(name):
                    found = True
                elif name == "get" and ts.text(ts.unwrap(node.child_by_field_name("function")).child_by_field_name("object")) in params & {"c", "ctx", "context"}:
                    found = True  # Hono's c.get('user'): a middleware stored the caller
            elif node.type == "member_expression":
                obj = ts.unwrap(node.child_by_field_name("object"))
                if obj is not None and obj.type == "identifier" and ts.text(node.child_by_field_name("property")) in _CALLER_MEMBERS:
                    found = True
            if found:
                break
    cache[key] = found
    return found


def _admin_only(handler) -> bool:
    for parent in ts.ancestors(handler):
        if parent.type == "call_expression" and re.search(r"admin", ts.text(parent.child_by_field_name("function")), re.I):
            return True
    return False


# `receiver.verify(…)`, `verifyQstashSignature(…)`, `stripe.webhooks.constructEvent(…)`, `timingSafeEqual`.
_SIGNATURE_CHECK = re.compile(
    r"^(verify|constructEvent|constructEventAsync|timingSafeEqual|createHmac|validateRequest|verifyRequest"
    r"|(verify|validate|check)\w*(Signature|Webhook|Qstash|QStash|Cron|Hmac|HMAC)\w*)$"
)
# Scheduler endpoints (`app/api/cron/**`): a platform calls them, not a tenant.
_CRON_PATH = re.compile(r"(^|/)(cron|crons)(/|$)")


def _machine_caller(ctx, handler) -> bool:
    """A webhook or cron endpoint: it verifies a signature or compares a header with an env
    secret (`auth !== "Basic " + env.CRON_SECRET`); its caller is a service, not a tenant."""
    cache = ctx.__dict__.setdefault("_ts107_machine", {})
    key = handler.start_byte
    if key not in cache:
        found = False
        for node in ctx.find_in(handler, "call_expression", "if_statement"):
            if node.type == "call_expression" and _SIGNATURE_CHECK.match((callee_path(node) or "").rsplit(".", 1)[-1]):
                found = True
            elif node.type == "if_statement":
                condition = node.child_by_field_name("condition")
                found = any(
                    child.type in ("property_identifier", "identifier")
                    and ts.text(child).isupper()
                    and ctx.semantics.is_secret_like(ts.text(child))
                    for child in ts.walk(condition)
                )
            if found:
                break
        cache[key] = found
    return cache[key]


def _is_check_helper(call) -> bool:
    name = (callee_path(call) or "").rsplit(".", 1)[-1]
    return bool(name) and bool(_CHECK_HELPER.match(name))


def _membership_lookup(call, results, owners) -> bool:
    """`prisma.projectUsers.findUnique({ where: { userId: session.user.id, projectId: invoice.workspace.id } })`:
    a later query that pairs an owner key with a value read from the result."""
    args = call.child_by_field_name("arguments")
    if args is None or not _mentions_owner(args, owners):
        return False
    for pair in ts.walk(args):
        key = ts.text(pair.child_by_field_name("key")) if pair.type == "pair" else ""
        if key and (_id_like(key, owners) or owners.owner(key)):
            value = pair.child_by_field_name("value")
            if value is not None and any(c.type == "identifier" and ts.text(c) in results for c in ts.walk(value)):
                return True
    return False


def _checked(ctx, query, handler, owners) -> bool:
    """An ownership check on the result (reads) or before the change (writes) in the handler."""
    call = query.call
    results: set[str] = set()
    for parent in ts.ancestors(call):
        if parent.type == "variable_declarator":
            results.update(pattern_bindings(parent.child_by_field_name("name")))
            break
        if parent.type in ("statement_block", "expression_statement", "return_statement", "arrow_function"):
            break

    def server(node) -> bool:
        return not ctx.semantics.is_request_derived(node, handler) and not any(
            child.type == "identifier" and ts.text(child) in results for child in ts.walk(node)
        )

    # Values computed from the result that decide ownership: `const members = team?.users;
    # const isMember = members?.some((m) => m.userId === me)` makes `isMember` a verdict.
    derived, verdicts = set(results), set()
    if results:
        for declarator in ctx.find("variable_declarator"):
            value = declarator.child_by_field_name("value")
            if value is None or declarator.start_byte < call.end_byte or declarator.end_byte > handler.end_byte:
                continue
            if any(child.type == "identifier" and ts.text(child) in derived for child in ts.walk(value)):
                names = pattern_bindings(declarator.child_by_field_name("name"))
                derived.update(names)
                if _owner_compare(value, owners, derived, server):
                    verdicts.update(names)

    for statement in ctx.find("if_statement", "call_expression"):
        if statement.type == "if_statement" and verdicts and statement.start_byte >= call.end_byte:
            condition = statement.child_by_field_name("condition")
            consequence = statement.child_by_field_name("consequence")
            if condition is not None and consequence is not None and _exits(consequence) and any(
                child.type == "identifier" and ts.text(child) in verdicts for child in ts.walk(condition)
            ):
                return True
        if statement.type == "call_expression" and results and statement.start_byte >= call.end_byte and _membership_lookup(statement, results, owners):
            if handler.start_byte <= statement.start_byte and statement.end_byte <= handler.end_byte:
                return True
        if statement.type == "if_statement" and results and statement.start_byte >= call.end_byte:
            condition = ts.unwrap(statement.child_by_field_name("condition"))
            consequence = statement.child_by_field_name("consequence")
            if condition is not None and condition.type == "identifier" and ts.text(condition) in results and consequence is not None and _exits(consequence):
                return True  # `if (existing) throw …`: a uniqueness check, the row never leaves the handler
        if statement.start_byte < handler.start_byte or statement.end_byte > handler.end_byte:
            continue
        after = statement.start_byte >= call.end_byte
        before = statement.end_byte <= call.start_byte
        if statement.type == "if_statement":
            condition = statement.child_by_field_name("condition")
            consequence = statement.child_by_field_name("consequence")
            if condition is None or consequence is None or not _exits(consequence):
                continue
            if after and results and _owner_compare(condition, owners, results, server):
                return True
            if before and query.write and _owner_compare(condition, owners, None, server):
                return True
        elif statement.parent is not None and statement.parent.type in ("expression_statement", "await_expression"):
            if _is_check_helper(statement) and (
                (after and results and _owner_compare(statement, owners, results))
                or (before and query.write and _uses_request(ctx, statement, handler))
            ):
                return True
            # invariant(doc.userId === user.id, "forbidden") / assert(…)
            if (callee_path(statement) or "").rsplit(".", 1)[-1] in _ASSERTIONS:
                arguments = statement.child_by_field_name("arguments")
                if after and results and _owner_compare(arguments, owners, results, server):
                    return True
                if before and query.write and _owner_compare(arguments, owners, None, server):
                    return True
    return False


@rule(
    code="TS107",
    slug="missing-ownership-filter",
    level="error",
    cwe=639,
    summary="Record looked up by a request-supplied id without an owner or tenant condition",
    target="ts",
    precision="medium",
    security_severity=8.1,
    tags=("security", "authorization"),
    # Every query `_queries` accepts names its filter: a `where` option (Prisma, Drizzle relational
    # queries) or a `.where`/`.andWhere`/`.eq`/`.match` call (query builders, Supabase).
    triggers=("where", "andWhere", "eq", "match"),
)
def check(ctx):
    semantics = ctx.semantics
    if not semantics.is_server_code or not (semantics.request_handlers or semantics.rpc_procedures):
        return
    if _ADMIN.search(ctx.source.scope) or _CRON_PATH.search(ctx.source.scope):
        return
    owners = _owner_set(ctx)
    queries = []
    for call in ctx.find("call_expression"):
        handler = _handler_of(semantics, call)
        if handler is None or _admin_only(handler) or _machine_caller(ctx, handler) or not _identifies_caller(ctx, handler):
            continue
        query = _queries(ctx, call, owners)
        if query is None or _CAPABILITY.search(query.label) or not semantics.is_request_derived(query.value, handler):
            continue
        queries.append((query, handler))
    owned_reads = _owned_reads(ctx, semantics, owners)
    unscoped = []
    for query, handler in queries:
        if _scoped(ctx, query, handler, owners):
            owned_reads.append((query.call, handler, ts.text(ts.unwrap(query.value))))
        else:
            unscoped.append((query, handler))
    for query, handler in unscoped:
        if _checked(ctx, query, handler, owners):
            continue
        value_text = ts.text(ts.unwrap(query.value))
        # An earlier owner-scoped lookup of the same request id (`userTeam.findUnique({ where:
        # { userId_teamId: { userId, teamId } } })`) already proved access to it; so did one of a
        # parent id this query also filters by (`{ id: documentId, dataroomId }` after
        # `dataroom.findUnique({ where: { id: dataroomId, teamId } })`).
        proven = {
            text for read, h, text in owned_reads
            if h == handler and read.end_byte <= query.call.start_byte and _dominates(read, query.call)
        }
        if value_text in proven or _filters_by(query.call, proven - {value_text}):
            continue
        action = "changes" if query.write else "reads"
        ctx.report(
            query.target,
            f"`{query.label}` {action} a record by `{query.column}` taken from the request with no owner or tenant "
            f"condition: any signed-in user can reach another customer's record by changing the id",
        )


def _filters_by(call, values: set[str]) -> bool:
    """The query's arguments bind some key to one of `values` (texts of proven ids)."""
    if not values:
        return False
    arguments = call.child_by_field_name("arguments")
    for child in ts.walk(arguments) if arguments is not None else ():
        if child.type == "pair" and ts.text(ts.unwrap(child.child_by_field_name("value"))) in values:
            return True
        if child.type == "shorthand_property_identifier" and ts.text(child) in values:
            return True
    return False


def _handler_of(semantics, node):
    """The request handler or tRPC resolver `node` runs in."""
    handler = semantics.enclosing_handler(node)
    if handler is not None:
        return handler
    procedures = semantics.rpc_procedures
    return next((parent for parent in ts.ancestors(node) if parent in procedures), None) if procedures else None


def _dominates(read, write) -> bool:
    """`read` runs before `write` on every path: its block also holds `write`."""
    block = next((p for p in ts.ancestors(read) if p.type == "statement_block"), None)
    return block is not None and block.start_byte <= write.start_byte and write.end_byte <= block.end_byte


def _owned_reads(ctx, semantics, owners):
    """Reads in handlers keyed by an id that do filter by owner: a later write of the same id is
    covered. Also loaders that take the id with a scope (`getPostbackOrThrow({ postbackId,
    partnerId: partner.id })`): an owner key, or another id the server found itself."""
    found = []
    for call in ctx.find("call_expression"):
        function = ts.unwrap(call.child_by_field_name("function"))
        args = call_arguments(call)
        first = ts.unwrap(args[0]) if args else None
        if first is not None and first.type == "object" and not has_spread(first):
            handler = _handler_of(semantics, call)
            if handler is not None:
                pairs = [(key, value) for key, value in object_properties(first).items() if _id_like(key, owners) or owners.owner(key)]
                derived = [(key, value) for key, value in pairs if semantics.is_request_derived(value, handler)]
                scoped = any(owners.owner(key) or not semantics.is_request_derived(value, handler) for key, value in pairs)
                if scoped and derived:
                    found.extend((call, handler, ts.text(ts.unwrap(value))) for key, value in derived)
        if function is None or function.type != "member_expression":
            continue
        args = call_arguments(call)
        if not args or _method(call) not in ("where", "eq") and not _mentions_owner(args[0], owners):
            continue
        handler = _handler_of(semantics, call)
        if handler is None:
            continue
        scope = call.child_by_field_name("arguments")
        if _method(call) in ("where", "eq", "match"):
            chain = _chain_calls(call)
            scope = chain[0] if chain else call
            if not _mentions_owner(scope, owners):
                continue
        # every id in an owner-scoped lookup counts as checked, owner columns included:
        # `userTeam.findUnique({ where: { userId_teamId: { userId: me, teamId } } })` proves `teamId`
        for child in ts.walk(scope):
            if child.type in ("pair",):
                key = ts.text(child.child_by_field_name("key"))
                if _id_like(key, owners) or owners.owner(key):
                    found.append((call, handler, ts.text(ts.unwrap(child.child_by_field_name("value")))))
            elif child.type == "shorthand_property_identifier" and (_id_like(ts.text(child), owners) or owners.owner(ts.text(child))):
                found.append((call, handler, ts.text(child)))
            elif child.type == "call_expression" and callee_path(child).rsplit(".", 1)[-1] == "eq":
                eq_args = call_arguments(child)
                if len(eq_args) == 2:
                    found.append((call, handler, ts.text(ts.unwrap(eq_args[1]))))
    return found
