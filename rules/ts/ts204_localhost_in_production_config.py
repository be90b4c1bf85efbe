"""## What it finds
A local address that ships to production: `localhost`, `127.0.0.1` or `0.0.0.0` hosts and
`http://localhost…` URLs in `next.config.*` (`images.domains`, `images.remotePatterns`,
`rewrites`, `redirects`, `env`, `assetPrefix`), and localhost URLs given as the fallback of an
environment variable anywhere in app code: `process.env.API_URL || 'http://localhost:3000'`,
`?? `, `env.X ? env.X : '…'`, destructuring defaults (`const { API_URL = '…' } = process.env`)
and env schemas (`API_URL: z.string().url().default('http://localhost:3000')`). A bare host
(`process.env.REDIS_HOST || 'localhost'`) counts when the variable names a host, URL or
endpoint.

## Why it matters in production
When the variable is missing in a deployment, the app quietly talks to itself: API calls,
webhooks and OAuth callbacks go to `localhost` inside the container, images fail to load,
links in emails point at a developer's machine. Nothing errors at start-up; users see broken
pages and the logs show connection refusals far from the cause.

## Example
```ts
const API_URL = process.env.API_URL || 'http://localhost:4000';
// next.config.js
module.exports = { images: { domains: ['localhost', 'cdn.example.com'] } };
```

## Use instead
```ts
const API_URL = process.env.API_URL ?? (process.env.NODE_ENV === 'development' ? 'http://localhost:4000' : undefined);
// or fail fast: if (!process.env.API_URL) throw new Error('API_URL is required');
module.exports = {
  images: { domains: [...(process.env.NODE_ENV === 'development' ? ['localhost'] : []), 'cdn.example.com'] },
};
```

## Not flagged
Literals reachable only under a development check (`NODE_ENV === 'development'`,
`!== 'production'`, `isDev && …`, an early `return` in production); `0.0.0.0` as the address a
server binds to (`HOST || '0.0.0.0'` is the right production bind); `allowedDevOrigins` and
other development-only Next.js options; tests, scripts and tool configs (`playwright.config`,
`vitest.config`, `drizzle.config`), whose localhost is the point; type declarations.

## Fix safety
For `process.env.X || '<localhost url>'` and `?? '<localhost url>'` the fix wraps the literal in
a development guard: `process.env.X || (process.env.NODE_ENV === 'development' ? '…' : undefined)`.
It is marked **unsafe**: in production the value becomes `undefined` instead of a local URL, so
code that used it now fails where it used to reach localhost. Review it (and usually add a
start-up check) before applying; `--fix` applies only safe fixes.

## How to suppress
`// prodlint-ignore TS204: sidecar proxy listens on localhost in every environment`

## References
- https://nextjs.org/docs/app/api-reference/components/image#remotepatterns
- https://12factor.net/config
"""

from __future__ import annotations

import re

from linter import ts
from linter.finding import Fix
from linter.registry import rule
from linter.semantics import (
    FUNCTION_TYPES,
    call_arguments,
    destructured,
    is_config_path,
    is_script_path,
    member_path,
    name_words,
)

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?((?:[\w-]+\.)*localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::|[/?#]|$)", re.I)
_HOST = re.compile(r"^((?:[\w-]+\.)*localhost|127\.0\.0\.1|0\.0\.0\.0)(:\d+)?$", re.I)
# Test-runner set-up and tool files: `vitest.bun.setup.ts`, `jest.global-setup.js`, `setupTests.ts`.
_TOOL_FILE = re.compile(r"(^|/)((vitest|jest|playwright|cypress|karma|mocha|ava|wdio)[\w.-]*|[\w.-]*\.setup|setupTests|global-?setup|global-?teardown)\.[cm]?[jt]sx?$", re.I)
_NEXT_CONFIG = re.compile(r"(^|/)next\.config\.[cm]?[jt]s$")
_NEXT_KEYS = {"images", "rewrites", "redirects", "env", "assetPrefix", "remotePatterns", "domains"}
_DEV_ONLY_KEYS = {"allowedDevOrigins", "devIndicators", "webpackDevMiddleware", "onDemandEntries"}
_HOST_WORDS = {"URL", "URI", "HOST", "ENDPOINT", "ORIGIN", "DOMAIN", "SERVER", "ADDR", "ADDRESS", "BASE", "API", "REDIS", "DATABASE", "DB"}
_BIND_NAMES = {"HOST", "HOSTNAME", "BIND", "BIND_HOST", "LISTEN_HOST", "LISTEN_ADDRESS", "SERVER_HOST", "BIND_ADDRESS", "ADDRESS"}
_FALLBACK_OPERATORS = {"||", "??"}
# Lower case, as `SourceFile.mentions` wants: every address `_URL` and `_HOST` accept.
_LOCAL_SPELLINGS = (b"localhost", b"127.0.0.1", b"0.0.0.0", b"[::1]")


def literal_text(node) -> str | None:
    """A string's value, or a template's text up to its first substitution."""
    node = ts.unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return ts.string_value(node)
    if node.type == "template_string":
        text = []
        for child in node.named_children:
            if child.type == "template_substitution":
                text.append("\0")
                break
            text.append(ts.text(child))
        return "".join(text)
    return None


def local_kind(value: str | None) -> str | None:
    """"url" for a URL on a local host, "host" for a bare local host, else None."""
    if not value:
        return None
    value = value.strip()
    if _URL.match(value.replace("\0", "/")):
        return "url"
    if _HOST.match(value.split("\0", 1)[0].rstrip(":")) and "\0" not in value.split(":", 1)[0]:
        return "host"
    return None


def _env_of(semantics, node) -> str | None:
    """The env var an expression reads, through `||`/`??` chains and `env.X ? env.X : …`."""
    node = ts.unwrap(node)
    if node is None:
        return None
    name = semantics.env_name(node)
    if name:
        return name
    if node.type == "binary_expression" and ts.text(node.child_by_field_name("operator")) in _FALLBACK_OPERATORS:
        return _env_of(semantics, node.child_by_field_name("left")) or _env_of(semantics, node.child_by_field_name("right"))
    return None


def _host_like(name: str) -> bool:
    return bool(set(name_words(name)) & _HOST_WORDS)


def _bind_address(name: str, kind: str, value: str, literal) -> bool:
    """`HOST || '0.0.0.0'`, `listen({ host: … })`: the address a server binds to."""
    if value.startswith("0.0.0.0") and kind == "host":
        return True
    if kind == "host" and name.upper() in _BIND_NAMES:
        return True
    for parent in ts.ancestors(literal):
        if parent.type == "pair" and ts.text(parent.child_by_field_name("key")) in ("host", "hostname") and kind == "host":
            return True
        if parent.type == "call_expression" and member_path(parent.child_by_field_name("function")).endswith("listen"):
            return True
        if parent.type in ("statement_block", "program"):
            break
    return False


def _fallbacks(ctx):
    """(literal, env var name, fallback operator node or None) for env fallbacks in this file."""
    semantics = ctx.semantics
    for node in ctx.find("binary_expression"):
        if ts.text(node.child_by_field_name("operator")) not in _FALLBACK_OPERATORS:
            continue
        right = ts.unwrap(node.child_by_field_name("right"))
        if literal_text(right) is None:
            continue
        name = _env_of(semantics, node.child_by_field_name("left"))
        if name:
            yield right, name, node
    for node in ctx.find("ternary_expression"):
        condition = _env_of(semantics, node.child_by_field_name("condition"))
        alternative = ts.unwrap(node.child_by_field_name("alternative"))
        if condition and literal_text(alternative) is not None and _env_of(semantics, node.child_by_field_name("consequence")) == condition:
            yield alternative, condition, None
    for node in ctx.find("variable_declarator"):
        pattern = node.child_by_field_name("name")
        if pattern is None or pattern.type != "object_pattern" or not semantics.is_env_object(node.child_by_field_name("value")):
            continue
        for _binding, key, default in destructured(pattern):
            if default is not None and literal_text(default) is not None:
                yield ts.unwrap(default), key, None
    for node in ctx.find("call_expression"):  # API_URL: z.string().url().default('http://localhost:3000')
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression" or ts.text(function.child_by_field_name("property")) != "default":
            continue
        args = call_arguments(node)
        if len(args) != 1 or literal_text(args[0]) is None:
            continue
        outer = node
        while outer.parent is not None and outer.parent.type in ("member_expression", "call_expression", "arguments"):
            outer = outer.parent
            if outer.type == "arguments":
                break
        pair = outer.parent
        chain = ts.text(function.child_by_field_name("object"))
        if pair is not None and pair.type == "pair" and re.match(r"^(z|v|zod|t|Type|yup|Joi|joi)\.", chain):
            key = pair.child_by_field_name("key")
            yield ts.unwrap(args[0]), ts.string_value(key) or ts.text(key), None


def _next_config_literals(ctx):
    for node in ctx.find("string", "template_string"):
        kind = local_kind(literal_text(node))
        if kind is None:
            continue
        keys = []
        for parent in ts.ancestors(node):
            if parent.type == "pair":
                key = parent.child_by_field_name("key")
                keys.append(ts.string_value(key) or ts.text(key))
            elif parent.type == "assignment_expression":  # nextConfig.images = {...}
                keys.append(member_path(parent.child_by_field_name("left")).rsplit(".", 1)[-1])
            elif parent.type in FUNCTION_TYPES and parent.type != "arrow_function":
                name = parent.child_by_field_name("name")
                if name is not None:
                    keys.append(ts.text(name))
        if set(keys) & _DEV_ONLY_KEYS or not set(keys) & _NEXT_KEYS:
            continue
        if kind == "host" and node.parent is not None and node.parent.type == "pair" and ts.text(node.parent.child_by_field_name("key")) == "protocol":
            continue
        yield node, kind


def _guard_fix(ctx, literal, operator) -> Fix | None:
    """`X || 'http://localhost'` -> `X || (process.env.NODE_ENV === 'development' ? '…' : undefined)`."""
    if operator is None or ts.unwrap(operator.child_by_field_name("right")) != literal:
        return None
    right = operator.child_by_field_name("right")
    replacement = f"(process.env.NODE_ENV === 'development' ? {ts.text(literal)} : undefined)"
    return Fix(
        title="Use the local address only in development",
        edits=(ctx.edit(right, replacement),),
        applicability="unsafe",
    )


@rule(
    code="TS204",
    slug="localhost-in-production-config",
    level="warning",
    cwe=1188,
    summary="Local address in configuration that ships to production",
    target="ts",
    security_severity=3.0,
    tags=("reliability", "configuration"),
    fixable=True,
)
def check(ctx):
    # Every report is a literal naming a local address (`local_kind`), and a literal's value is its
    # source text (escapes stay raw), so a file that never spells one, in upper or lower case, has
    # nothing to report. Not word triggers: `LocalHost` and `LOCALHOST` are other words. JSX attribute strings
    # drop HTML entities (`local&amp;host`), so `next.config` files, whose literals may be
    # attributes, are always read.
    if not ctx.source.mentions(*_LOCAL_SPELLINGS) and not _NEXT_CONFIG.search(ctx.source.scope):
        return
    semantics = ctx.semantics
    path = semantics.path
    if semantics.is_test or path.endswith((".d.ts", ".d.mts", ".d.cts")) or ".stories." in path:
        return
    next_config = bool(_NEXT_CONFIG.search(path))
    if not next_config and (is_script_path(path) or is_config_path(path) or _TOOL_FILE.search(path)):
        return
    seen = set()
    if next_config:
        for node, kind in _next_config_literals(ctx):
            if semantics.is_development_only(node):
                continue
            seen.add(node.start_byte)
            value = literal_text(node).replace("\0", "…")
            ctx.report(
                node,
                f"`{value}` in `next.config`: the production build serves and fetches from this local address; "
                "read it from an environment variable or add it only when `NODE_ENV === 'development'`",
            )
    for literal, name, operator in _fallbacks(ctx):
        if literal.start_byte in seen:
            continue
        value = literal_text(literal)
        kind = local_kind(value)
        if kind is None or (kind == "host" and not _host_like(name)) or _bind_address(name, kind, value, literal):
            continue
        if semantics.is_development_only(literal):
            continue
        seen.add(literal.start_byte)
        shown = value.replace("\0", "…")
        yield ctx.report(
            literal,
            f"`{name}` falls back to `{shown}`: a deployment without `{name}` silently talks to itself instead of "
            f"failing; require the variable in production or use the fallback only in development",
            fix=_guard_fix(ctx, literal, operator),
        )
