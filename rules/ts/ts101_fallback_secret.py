"""## What it finds

A secret-like environment variable (`JWT_SECRET`, `SESSION_SECRET`, `STRIPE_API_KEY`,
`DB_PASSWORD`, …) given a literal fallback, so the app still starts when the variable is
missing:

- `process.env.JWT_SECRET || 'dev-secret'`, `?? 'x'`, `||=`, chains
  (`process.env.AUTH_SECRET || process.env.NEXTAUTH_SECRET || 'x'`), ternaries
  (`process.env.X ? process.env.X : 'x'`), through aliases (`const env = process.env`,
  `import { env } from 'process'`), `import.meta.env`, and locals bound to the variable;
- a `const` bound to a literal, in the same module or imported from another one
  (`process.env.JWT_SECRET || DEFAULT_JWT_SECRET`, also through re-exports and
  `import * as defaults`);
- destructuring defaults: `const { JWT_SECRET = 'x' } = process.env`;
- env schemas: `JWT_SECRET: z.string().default('x')` (zod, also after `.optional()`, `.min()`,
  and inside t3 `createEnv({ server: { … } })`), Joi/yup `.default('x')`, envalid
  `str({ default: 'x' })`, JSON schemas for `@fastify/env` / `env-schema`
  (`JWT_SECRET: { type: 'string', default: 'x' }`);
- settings lookups with a default: NestJS `configService.get('JWT_SECRET', 'x')` (or
  `?? 'x'` after it), env-var `env.get('JWT_SECRET').default('x')`;
- env helpers with a default argument: `env('JWT_SECRET', 'x')`, `getEnv('API_KEY', 'x')`,
  `Env.get('APP_KEY', 'x')`.

Placeholders (`changeme`, `secret`, `your-secret-here`) count: they are exactly what ends up in
production when the variable is forgotten.

## Why it matters in production

A deploy that forgets the variable does not fail: it starts and signs sessions, JWTs or
webhooks with a value that is in the repository, so anyone who has read the source (or the
npm package, or a leaked image) can forge tokens or decrypt data. The fallback also hides the
misconfiguration from every health check.

## Example

```ts
const secret = process.env.JWT_SECRET || 'dev-secret';
export const env = createEnv({ server: { SESSION_SECRET: z.string().default('changeme') } });
```

## Use instead

```ts
const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET is not set');
export const env = createEnv({ server: { SESSION_SECRET: z.string().min(32) } });
```

## Not flagged

A fallback to another environment variable only (`process.env.A ?? process.env.B`); an empty
string (`?? ''`, a typing idiom that no signature check accepts); non-secret names (`PORT`,
`LOG_LEVEL`, `DATABASE_URL`, `JWT_EXPIRES_IN`, `NEXT_PUBLIC_*`); values that cannot be a secret
whatever the name (`TOKEN_MAX_AGE || '7d'`, `'true'`); a literal reachable only in
development (`process.env.NODE_ENV === 'development' ? 'dev' : required('JWT_SECRET')`,
`isDev ? 'dev' : …`, envalid `devDefault`); test files.

## How to suppress

`// prodlint-ignore TS101: local-only tool, never deployed` on the line or the line above.

## References

- https://cwe.mitre.org/data/definitions/798.html
- https://cwe.mitre.org/data/definitions/1188.html
- https://env.t3.gg/docs/introduction
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import (
    call_arguments,
    callee_path,
    destructured,
    is_declaration_path,
    may_hold_secret_name,
    member_path,
    object_properties,
)

_ENV_STYLE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ENV_HELPERS = re.compile(r"^(env|getEnv|getEnvVar|getEnvVariable|readEnv|requireEnv|envOr|getenv)$")
_CONFIG_RECEIVER = re.compile(r"^(config|configService|_config|_configService|env|Env|environment|settings)$", re.I)
_ENVALID = {"str", "host", "url", "email", "json", "makeValidator"}


# A duration or a flag cannot be a secret, whatever the variable is called (`TOKEN_MAX_AGE || '7d'`).
_NOT_A_SECRET = re.compile(r"^\s*(\d+\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?|y|years?)|true|false|null|undefined)\s*$", re.I)


def may_name_a_secret(ctx) -> bool:
    """Whether the file could hold a secret-like environment variable name: every name scan()
    judges is text of the file (a property, a key, a string's raw content)."""
    return may_hold_secret_name(ctx.source.lowered, ctx.semantics.extra_secret_names)


def _literal(node) -> str | None:
    value = ts.string_value(ts.unwrap(node))
    return value if value is not None and value.strip() and not _NOT_A_SECRET.match(value) else None


def _short(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= 24 else value[:21] + "…"


class _File:
    """The module-level facts TS101 needs from one file, and the fallbacks it holds."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.sem = ctx.semantics
        self.consts: dict[str, object] = {}  # name -> literal node (module-level `const X = '…'`)
        self.env_locals: dict[str, str] = {}  # name -> env var it is bound to (`const s = process.env.JWT_SECRET`)
        self.imports: dict[str, tuple[str, str]] = {}  # local -> (spec, imported); imported "*" for namespaces
        self.findings: list[dict] = []
        self.pending: list[dict] = []
        self.seen: set[tuple[int, int]] = set()
        # Other files may fall back to this file's exported literal consts, so every file collects
        # them; only top-level statements can declare one.
        for statement in ctx.root.named_children:
            declarations = statement.named_children if statement.type == "export_statement" else (statement,)
            for declaration in declarations:
                if declaration.type == "lexical_declaration" and ts.text(declaration.children[0]) == "const":
                    for node in declaration.named_children:
                        if node.type != "variable_declarator":
                            continue
                        name = node.child_by_field_name("name")
                        value = node.child_by_field_name("value")
                        if name is not None and name.type == "identifier" and value is not None and _literal(value) is not None:
                            self.consts[ts.text(name)] = ts.unwrap(value)

    def _collect_bindings(self) -> None:
        """Imports and env-bound locals: only a file that reads the environment needs them."""
        for entry in self.ctx.module_facts["imports"]:
            if entry.get("kind") in ("import", "require") and not entry.get("type_only"):
                for imported, local in entry["names"]:
                    if local and imported:
                        self.imports[local] = (entry["spec"], imported)
        self.env_locals.update(self.sem.env_bindings)  # const { JWT_SECRET } = process.env, const s = process.env.X
        for node in self.ctx.find("variable_declarator"):
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if name is None or name.type != "identifier" or value is None:
                continue
            declaration = node.parent
            if declaration is None or declaration.type != "lexical_declaration" or ts.text(declaration.children[0]) != "const":
                continue
            env = _config_get(value)  # configService.get('JWT_SECRET')
            if env is not None:
                self.env_locals[ts.text(name)] = env

    def exported_consts(self) -> dict[str, dict]:
        commonjs = b"exports" in self.ctx.source.words  # both CommonJS shapes below name `exports`
        if not self.consts and not commonjs:
            return {}  # only a literal const is worth exporting, and this file declares none
        exported: dict[str, str] = {}
        for node in self.ctx.root.named_children:
            if node.type != "export_statement" or node.child_by_field_name("source") is not None:
                continue
            declaration = node.child_by_field_name("declaration")
            if declaration is not None and declaration.type == "lexical_declaration":
                for declarator in declaration.named_children:
                    name = ts.text(declarator.child_by_field_name("name"))
                    exported[name] = name
            for clause in node.named_children:
                if clause.type == "export_clause":
                    for spec in clause.named_children:
                        if spec.type == "export_specifier":
                            local = ts.text(spec.child_by_field_name("name"))
                            exported[ts.text(spec.child_by_field_name("alias") or spec.child_by_field_name("name"))] = local
            value = node.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                exported["default"] = ts.text(value)
        commonjs = b"exports" in self.ctx.source.words  # both shapes below name `exports`
        for node in self.ctx.find("assignment_expression") if commonjs else ():  # module.exports.X = X / exports.X = 'x'
            left = member_path(node.child_by_field_name("left"))
            if left.startswith(("module.exports.", "exports.")):
                right = ts.unwrap(node.child_by_field_name("right"))
                name = left.rsplit(".", 1)[-1]
                if right is not None and right.type == "identifier":
                    exported[name] = ts.text(right)
                elif _literal(right) is not None:
                    self.consts.setdefault(f"\0{name}", right)
                    exported[name] = f"\0{name}"
        out = {}
        for name, local in exported.items():
            literal = self.consts.get(local)
            if literal is not None:
                out[name] = {"value": _short(_literal(literal) or ""), "location": self.ctx.location(literal)}
        return out

    # -- what reads a secret env var --

    def secret_env(self, node) -> str | None:
        node = ts.unwrap(node)
        if node is None:
            return None
        name = self.sem.env_name(node)
        if name is None and node.type == "identifier":
            name = self.env_locals.get(ts.text(node))
        if name is None and node.type == "call_expression":
            name = _config_get(node)
        return name if name is not None and self.sem.is_secret_like(name) else None

    # -- what a fallback expression evaluates to --

    def fallback(self, env: str, node, use_site=None) -> None:
        node = ts.unwrap(node)
        if node is None:
            return
        if node.type == "ternary_expression":
            for branch in ("consequence", "alternative"):
                self.fallback(env, node.child_by_field_name(branch))
            return
        if node.type == "binary_expression" and ts.text(node.child_by_field_name("operator")) in ("||", "??"):
            self.fallback(env, node.child_by_field_name("right"))
            return
        key = (node.start_byte, node.end_byte)
        if key in self.seen or self.sem.is_development_only(node):
            return
        value = _literal(node)
        if value is not None:
            self.seen.add(key)
            self.findings.append({"env": env, "location": self.ctx.location(node), "value": _short(value)})
            return
        if node.type == "identifier":
            name = ts.text(node)
            literal = self.consts.get(name)
            if literal is not None:
                self.seen.add(key)
                self.findings.append({
                    "env": env, "location": self.ctx.location(node), "value": _short(_literal(literal) or ""),
                    "via": name, "related": self.ctx.location(literal, note=f"`{name}` is bound to a literal here"),
                })
            elif name in self.imports and self.imports[name][1] != "*":
                spec, imported = self.imports[name]
                self.seen.add(key)
                self.pending.append({"env": env, "location": self.ctx.location(node), "spec": spec, "name": imported, "via": name})
        elif node.type == "member_expression":
            obj = ts.unwrap(node.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier" and self.imports.get(ts.text(obj), ("", ""))[1] in ("*", "default"):
                spec, _ = self.imports[ts.text(obj)]
                self.seen.add(key)
                self.pending.append({
                    "env": env, "location": self.ctx.location(node), "spec": spec,
                    "name": ts.text(node.child_by_field_name("property")), "via": member_path(node),
                })

    # -- the shapes --

    def scan(self) -> None:
        self._collect_bindings()
        for node in self.ctx.find("binary_expression", "ternary_expression", "augmented_assignment_expression",
                                  "variable_declarator", "pair", "call_expression"):
            kind = node.type
            if kind == "binary_expression":
                self._logical(node)
            elif kind == "ternary_expression":
                self._ternary(node)
            elif kind == "augmented_assignment_expression":
                if ts.text(node.child_by_field_name("operator")) in ("||=", "??="):
                    env = self.secret_env(node.child_by_field_name("left"))
                    if env:
                        self.fallback(env, node.child_by_field_name("right"))
            elif kind == "variable_declarator":
                pattern = node.child_by_field_name("name")
                if pattern is not None and pattern.type == "object_pattern" and self.sem.is_env_object(node.child_by_field_name("value")):
                    for _binding, key, default in destructured(pattern):
                        if default is not None and self.sem.is_secret_like(key):
                            self.fallback(key, default)
            elif kind == "pair":
                self._schema_entry(node)
            else:
                self._env_helper(node)

    def _logical(self, node) -> None:
        operator = ts.text(node.child_by_field_name("operator"))
        if operator not in ("||", "??"):
            return
        parent = node.parent
        while parent is not None and parent.type == "parenthesized_expression":
            parent = parent.parent
        if parent is not None and parent.type == "binary_expression" and ts.text(parent.child_by_field_name("operator")) in ("||", "??"):
            if ts.unwrap(parent.child_by_field_name("left")) == node:
                return  # not the top of the chain
        operands = []
        current = node
        while current is not None and current.type == "binary_expression" and ts.text(current.child_by_field_name("operator")) in ("||", "??"):
            operands.append(current.child_by_field_name("right"))
            current = ts.unwrap(current.child_by_field_name("left"))
        operands.append(current)
        operands.reverse()
        env = next((name for name in map(self.secret_env, operands[:-1]) if name), None)
        if env:
            self.fallback(env, operands[-1])

    def _ternary(self, node) -> None:
        condition = node.child_by_field_name("condition")
        for env_branch, other in (("consequence", "alternative"), ("alternative", "consequence")):
            env = self.secret_env(node.child_by_field_name(env_branch))
            if env and any(self.secret_env(part) == env for part in ts.walk(condition) if part.type in ("member_expression", "subscript_expression", "identifier")):
                self.fallback(env, node.child_by_field_name(other))

    def _schema_entry(self, pair) -> None:
        value = ts.unwrap(pair.child_by_field_name("value"))
        if value is None or value.type not in ("object", "call_expression"):
            return  # most properties: a schema entry is a JSON schema or a validator call
        key_node = pair.child_by_field_name("key")
        key = ts.string_value(key_node) if key_node is not None and key_node.type == "string" else ts.text(key_node)
        if not key or not self.sem.is_secret_like(key):
            return
        if not _ENV_STYLE.match(key) and not self._inside_create_env(pair):
            return
        if value is not None and value.type == "object":  # JSON schema (@fastify/env, env-schema, ajv)
            props = object_properties(value)
            if "default" in props and "type" in props:
                self.fallback(key, props["default"])
            return
        while value is not None and value.type == "call_expression":
            function = value.child_by_field_name("function")
            args = call_arguments(value)
            if function is not None and function.type == "member_expression":
                if ts.text(function.child_by_field_name("property")) == "default" and args:
                    self.fallback(key, args[0])
                value = ts.unwrap(function.child_by_field_name("object"))
                continue
            if function is not None and function.type == "identifier" and ts.text(function) in _ENVALID and args:
                default = object_properties(args[0]).get("default")
                if default is not None:
                    self.fallback(key, default)
            break

    @staticmethod
    def _inside_create_env(node) -> bool:
        for parent in ts.ancestors(node):
            if parent.type == "call_expression":
                return callee_path(parent).rsplit(".", 1)[-1] in ("createEnv", "cleanEnv")
        return False

    def _env_helper(self, call) -> None:
        # Most calls are neither `.default(…)`, a `.get(…)` lookup nor an env helper: their callee's
        # last name says so without building the dotted path.
        function = ts.unwrap(call.child_by_field_name("function"))
        if function is not None and function.type in ("member_expression", "identifier"):
            last = ts.text(function.child_by_field_name("property") if function.type == "member_expression" else function)
            if last != "default" and last != "get" and not _ENV_HELPERS.match(last):
                return
        path = callee_path(call)
        last = path.rsplit(".", 1)[-1]
        args = call_arguments(call)
        if last == "default" and args:  # env-var: env.get('JWT_SECRET').default('x').asString()
            inner = ts.unwrap(call.child_by_field_name("function").child_by_field_name("object"))
            while inner is not None and inner.type == "call_expression":
                name = _config_get(inner)
                if name is not None:
                    if self.sem.is_secret_like(name):
                        self.fallback(name, args[0])
                    return
                function = inner.child_by_field_name("function")
                inner = ts.unwrap(function.child_by_field_name("object")) if function is not None and function.type == "member_expression" else None
            return
        if not (_ENV_HELPERS.match(last) or _config_get(call) is not None):
            return
        if len(args) < 2:
            return
        name = ts.string_value(ts.unwrap(args[0]))
        if name and _ENV_STYLE.match(name) and self.sem.is_secret_like(name):
            self.fallback(name, args[1])


def _config_get(call) -> str | None:
    """`configService.get('JWT_SECRET')`, `this.config.get<string>('JWT_SECRET')`, `Env.get('APP_KEY')`,
    `env.get('API_KEY')`: a settings lookup by an environment variable's name."""
    call = ts.unwrap(call)
    if call is None or call.type != "call_expression":
        return None
    function = ts.unwrap(call.child_by_field_name("function"))
    if function is None or function.type == "member_expression" and ts.text(function.child_by_field_name("property")) != "get":
        return None  # `x.get(…)` or `x['get'](…)` only: tell without building the dotted path
    receiver, _, method = callee_path(call).rpartition(".")
    if method != "get" or not _CONFIG_RECEIVER.search(receiver.rsplit(".", 1)[-1]):
        return None
    args = call_arguments(call)
    name = ts.string_value(ts.unwrap(args[0])) if args else None
    return name if name and _ENV_STYLE.match(name) else None


def may_fall_back(ctx) -> bool:
    """Whether the file can hold a fallback: every one reads the environment (`process.env`,
    `import.meta.env`, an `env` alias or schema, `configService`) and names a secret-like
    variable. Any other file only contributes exported consts, which the project phase asks
    for where a fallback names an imported one: the scan leaves those to then (`eager`)."""
    return ctx.source.mentions(b"env", b"config") and may_name_a_secret(ctx)


def collect(ctx):
    if ctx.semantics.is_test or is_declaration_path(ctx.path):
        return None
    facts = _File(ctx)
    if may_fall_back(ctx):
        facts.scan()
    out = {}
    exported = facts.exported_consts()
    if exported:
        out["consts"] = exported
    if facts.findings:
        out["findings"] = facts.findings
    if facts.pending:
        out["pending"] = facts.pending
    return out or None


def _resolve(index, facts, path: str, name: str, depth: int = 0):
    """The exported literal const `name` of module `path`, following re-exports."""
    if path is None or depth > 8:
        return None
    own = (facts.get(path) or {}).get("consts", {})
    if name in own:
        return own[name]
    module = (index.files.get(path) or {}).get("module") or {}
    for entry in module.get("imports", []):
        if not entry.get("reexport"):
            continue
        for imported, alias in entry["names"]:
            if alias == name or (imported == "*" and alias == "*"):
                found = _resolve(index, facts, index.resolve(path, entry["spec"]), name if imported == "*" else imported, depth + 1)
                if found is not None:
                    return found
    return None


def _message(env: str, value: str, via: str = "", where: str = "") -> str:
    literal = f"`{via}` (`'{value}'`{where})" if via else f"the literal `'{value}'`"
    return (f"`{env}` falls back to {literal}: a deploy that forgets the variable starts anyway and signs or "
            "encrypts with a value anyone with the source knows; fail at startup when it is missing")


@rule(
    code="TS101",
    slug="fallback-secret",
    level="error",
    cwe=(798, 1188),
    summary="Secret environment variable with a literal fallback",
    target="project",
    collect=collect,
    eager=may_fall_back,
    security_severity=8.0,
    tags=("security", "secrets", "configuration"),
)
def check(ctx):
    index = ctx.index
    facts = index.facts("TS101")
    for path, own in sorted(facts.items()):
        for item in own.get("findings", []):
            related = (item["related"],) if "related" in item else ()
            ctx.report(item["location"], _message(item["env"], item["value"], item.get("via", "")), related=related)
        for item in own.get("pending", []):
            target = index.resolve(path, item["spec"])
            found = _resolve(index, facts, target, item["name"])
            if found is None:
                continue
            location = found["location"]
            ctx.report(
                item["location"],
                _message(item["env"], found["value"], item["via"], f" in `{location.path}`"),
                related=(location,),
            )
