"""## What it finds
A long-lived process — an HTTP server started with `fastify.listen(...)`, `app.listen(...)`
(Express, Koa, NestJS, Polka), `http(s).createServer(...).listen(...)`, Hono's node server
`serve({ fetch, port })`, or a BullMQ `new Worker(...)` — when no `SIGTERM` handler is
registered anywhere the process loads: not in the file, not in the modules it imports, not in
the modules that import it (a `src/index.ts` that starts the server from `src/app.ts` and a
`shutdown.ts` it imports all count). A handler is `process.on/once('SIGTERM', …)` (also a loop
over `['SIGINT', 'SIGTERM']`), `close-with-grace`, `@godaddy/terminus`,
`fastify-graceful-shutdown`, `http-graceful-shutdown`, `lightship`, `exit-hook`, or NestJS
`app.enableShutdownHooks()`.

## Why it matters in production
Every deploy, scale-down and node drain sends `SIGTERM`. A Node process without a handler dies
on the spot: in-flight requests are cut off with connection resets, BullMQ jobs stall
mid-way and are retried (or run twice), database transactions roll back, logs and metrics
buffered in memory are lost. With a handler the server stops accepting, finishes what it
has, closes its pools and exits cleanly within the platform's grace period.

## Example
```ts
const app = Fastify({ logger: true });
await app.register(routes);
await app.listen({ port: 3000, host: '0.0.0.0' });
```

## Use instead
```ts
await app.listen({ port: 3000, host: '0.0.0.0' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await app.close(); // stops accepting, waits for in-flight requests, runs onClose hooks
    process.exit(0);
  });
}
// or: closeWithGrace({ delay: 10_000 }, async () => app.close());
```

## Not flagged
Processes that register a handler anywhere in their import closure or in a module that
imports them; serverless handlers (no `listen`: `export default app`, Next.js routes,
Lambda); a `listen` reachable only in development or only outside serverless platforms
(`if (process.env.NODE_ENV !== 'production')`, `if (!process.env.VERCEL)`); tests, scripts
and CLI tools; `node:worker_threads` `Worker`s; `.listen` on objects that are not servers
(event emitters, Redis subscribers) — a call is taken as a server only in a file that
imports a server framework or `http`/`https`, on a `createServer(...)` result, or on an
imported app given a port.

## How to suppress
`// prodlint-ignore TS202: the platform sends SIGKILL only after draining the load balancer`

## References
- https://nodejs.org/api/process.html#signal-events
- https://expressjs.com/en/advanced/healthcheck-graceful-shutdown.html
- https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import call_arguments, callee_path, is_script_path, member_path, object_properties

_SERVER_MODULES = {
    "express", "fastify", "koa", "@nestjs/core", "polka", "restify", "connect", "http", "https", "http2",
    "node:http", "node:https", "node:http2", "hyper-express", "ultimate-express", "@hono/node-server",
    "h3", "micro", "feathers", "@feathersjs/express", "@feathersjs/feathers", "socket.io", "ws", "@trpc/server/adapters/standalone",
    "apollo-server", "@apollo/server/standalone", "elysia",
}
_SHUTDOWN_MODULES = {
    "close-with-grace", "@godaddy/terminus", "fastify-graceful-shutdown", "http-graceful-shutdown", "lightship",
    "exit-hook", "async-exit-hook", "node-graceful-shutdown", "@moebius/http-graceful-shutdown", "death",
    "node-cleanup", "@hono/node-server/graceful-shutdown", "graceful-shutdown-manager",
}
# One word of each shutdown module's name: a file importing one contains it.
_SHUTDOWN_MODULE_WORDS = ("grace", "graceful", "terminus", "lightship", "hook", "death", "cleanup")
_BULLMQ = {"bullmq", "@taskforcesh/bullmq-pro"}
_SIGNAL_METHODS = {"on", "once", "addListener", "prependListener", "prependOnceListener"}
_SERVERLESS_GUARD = re.compile(r"\b(VERCEL|AWS_LAMBDA_FUNCTION_NAME|LAMBDA_TASK_ROOT|NETLIFY|require\.main|import\.meta\.main|IS_OFFLINE|FUNCTIONS_EMULATOR)\b")
_PORT_HINT = re.compile(r"port|PORT|\d{2,5}")


def _imports(ctx) -> dict[str, str]:
    """Local name -> module spec for this file's imports."""
    return {local: spec for local, (spec, _imported) in _imported_names(ctx).items()}


def _imported_names(ctx) -> dict[str, tuple[str, str]]:
    """Local name -> (module spec, imported name)."""
    names: dict[str, tuple[str, str]] = {}
    for entry in ctx.module_facts["imports"]:
        for imported, local in entry["names"]:
            if local:
                names[local] = (entry["spec"], imported)
    return names


def _registers_shutdown(ctx, specs: set[str]) -> bool:
    if specs & _SHUTDOWN_MODULES:
        return True
    data = ctx.source.data
    nest_hooks = b"enableShutdownHooks" in data
    sigterm = b"SIGTERM" in data and any(ts.string_value(node) == "SIGTERM" for node in ctx.find("string"))
    if not (nest_hooks or sigterm):
        return False
    for call in ctx.find("call_expression"):
        path = callee_path(call)
        if path.endswith(".enableShutdownHooks"):
            return True
        if not sigterm:
            continue
        receiver, _, method = path.rpartition(".")
        if method in _SIGNAL_METHODS and receiver in ("process", "globalThis.process", "global.process", "proc"):
            args = call_arguments(call)
            if args and (ts.string_value(args[0]) in (None, "SIGTERM")):
                return True
    return False


def _port_like(args) -> bool:
    if not args:
        return False
    first = ts.unwrap(args[0])
    if first.type == "number":
        return True
    if first.type == "object":
        return "port" in object_properties(first) or "path" in object_properties(first)
    return bool(_PORT_HINT.search(ts.text(first)))


def _skipped(ctx, node) -> bool:
    """Development-only or serverless-guarded start-up code."""
    if ctx.semantics.is_development_only(node):
        return True
    for parent in ts.ancestors(node):
        if parent.type in ("if_statement", "ternary_expression"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and _SERVERLESS_GUARD.search(ts.text(condition)):
                return True
    return False


def _entries(ctx, imports: dict[str, str], specs: set[str]):
    imported = _imported_names(ctx)
    server_file = bool(specs & _SERVER_MODULES)
    hono_serve = specs & {"@hono/node-server"}
    for call in ctx.find("call_expression") if b"listen" in ctx.source.words or hono_serve else ():
        function = ts.unwrap(call.child_by_field_name("function"))
        if function is None:
            continue
        args = call_arguments(call)
        if function.type == "member_expression" and ts.text(function.child_by_field_name("property")) == "listen":
            receiver = ts.unwrap(function.child_by_field_name("object"))
            chain = ts.text(receiver)
            root_name = member_path(receiver).split(".", 1)[0] if member_path(receiver) else ""
            if re.search(r"\b(createServer|createSecureServer)\s*\(", chain) or (receiver.type == "call_expression" and imports.get(callee_path(receiver)) in _SERVER_MODULES):
                yield call, "server"
            elif server_file and (_port_like(args) or not args or ts.unwrap(args[0]).type in ("arrow_function", "function_expression")):
                yield call, "server"
            elif root_name in imports and imports[root_name].startswith((".", "@/", "~/", "#")) and _port_like(args):
                yield call, "server"
        elif function.type == "identifier" and imported.get(ts.text(function)) in (("@hono/node-server", "serve"), ("@hono/node-server", "default")):
            yield call, "server"
    for node in ctx.find("new_expression") if specs & _BULLMQ else ():
        constructor = ts.unwrap(node.child_by_field_name("constructor"))
        path = member_path(constructor)
        base = path.split(".", 1)[0]
        if imports.get(base) in _BULLMQ and path.endswith("Worker"):
            yield node, "worker"


def collect(ctx):
    semantics = ctx.semantics
    path = semantics.path
    specs = {entry["spec"] for entry in ctx.module_facts["imports"]}
    facts: dict = {}
    if _registers_shutdown(ctx, specs):
        facts["handler"] = True
    if semantics.is_test or semantics.directive == "use client":
        return facts or None
    imports = _imports(ctx)
    entries = []
    script = is_script_path(path)
    for node, kind in _entries(ctx, imports, specs):
        if _skipped(ctx, node):
            continue
        what = "new Worker(...)" if kind == "worker" else member_path(node.child_by_field_name("function")) or "listen"
        entries.append({"location": ctx.location(node), "kind": kind, "what": what, "script": script})
    if entries:
        facts["entries"] = entries
    return facts or None


_RUNNER = re.compile(r"(?:^|[\s;&|])(?:node|nodemon|tsx|ts-node|ts-node-dev|bun|deno run|esno|jiti)\s+(?:--?[\w-]+(?:[ =][^\s-][^\s]*)?\s+)*([\w@./-]+\.[cm]?[jt]sx?)\b")


def _package_entries(index) -> set[str]:
    """Scanned files a package starts as a process: `main`, `bin`, and the file `scripts.start` runs."""
    found: set[str] = set()
    for folder, data in index.packages.items():
        if not isinstance(data, dict):
            continue
        targets = []
        if isinstance(data.get("main"), str):
            targets.append(data["main"])
        bin_field = data.get("bin")
        if isinstance(bin_field, str):
            targets.append(bin_field)
        elif isinstance(bin_field, dict):
            targets.extend(value for value in bin_field.values() if isinstance(value, str))
        scripts = data.get("scripts")
        if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
            targets.extend(match.group(1) for match in _RUNNER.finditer(scripts["start"]))
        for target in targets:
            target = target if target.startswith(".") else "./" + target
            resolved = index._package_file(folder, target)
            if resolved:
                found.add(resolved)
    return found


@rule(
    code="TS202",
    slug="missing-graceful-shutdown",
    level="warning",
    cwe=404,
    summary="Long-lived process without a SIGTERM handler",
    target="project",
    collect=collect,
    security_severity=3.0,
    # What a file can contribute: a `.listen(...)`, Hono's `serve` or a BullMQ `Worker` (entry
    # points), and a 'SIGTERM' string, `enableShutdownHooks` or a shutdown module (handlers).
    triggers=("listen", "hono", "bullmq", "SIGTERM", "enableShutdownHooks", *_SHUTDOWN_MODULE_WORDS),
    tags=("reliability",),
)
def check(ctx):
    index = ctx.index
    facts = index.facts("TS202")
    handlers = {path for path, data in facts.items() if data.get("handler")}
    # A process that loads `path` also loads a handler when one module reaches both.
    reach_a_handler = index.reverse_closure(*handlers) if handlers else set()
    package_entries = _package_entries(index)
    for path, data in sorted(facts.items()):
        entries = [entry for entry in data.get("entries", ()) if not entry.get("script") or path in package_entries]
        if not entries:
            continue
        if reach_a_handler and not reach_a_handler.isdisjoint(index.reverse_closure(path)):
            continue
        for entry in entries:
            if entry["kind"] == "worker":
                message = (
                    "BullMQ `new Worker(...)` in a process with no `SIGTERM` handler: a deploy kills it mid-job and the job "
                    "stalls until it is retried; call `worker.close()` from `process.once('SIGTERM', …)`"
                )
            else:
                message = (
                    f"`{entry['what']}` starts a server in a process with no `SIGTERM` handler: every deploy cuts off in-flight "
                    "requests; close the server from `process.once('SIGTERM', …)` (or use `close-with-grace`/`@godaddy/terminus`)"
                )
            ctx.report(entry["location"], message)
    return ()
