"""## What it finds

A log call — `console.*`, `logger.*`, `log.*`, `this.logger.*`, `fastify.log.*`,
`req.log.*` / `request.log.*`, an instance made by `pino()`, `winston.createLogger()`,
`bunyan.createLogger()`, `new Logger()` or `logger.child()`, or a name listed in the
`logger-names` setting — that is handed a whole sensitive object or value: a variable or
member named like `user`, `account`, `session`, `credentials`, `password`, `token`,
`secret`, `apiKey`, `cookies`, `passwordHash`, the request body (`req.body`,
`request.body`, or a local that holds it: `const body = await req.json()`,
`JSON.parse(await request.text())`), the request headers or their `authorization`/`cookie`
entry, or a secret-like environment variable.
The value is found also inside object literals (`{ user }`), arrays, spreads, template
strings (`` `login ${user}` ``), string concatenation and `JSON.stringify(...)` /
`util.inspect(...)`.

## Why it matters in production

Logs are copied to many places (log drains, APM vendors, support dashboards, backups) and are
read by far more people than the database. A whole user object carries password hashes,
reset tokens and personal data; a request body carries passwords and card numbers; headers
carry bearer tokens and session cookies. Once written, they cannot be recalled, and a
leaked token in a log is a working credential (CWE-532).

## Example

```ts
logger.info({ user }, 'signed in');
console.log(`login attempt ${JSON.stringify(req.body)}`);
request.log.debug(request.headers);
```

## Use instead

```ts
logger.info({ userId: user.id }, 'signed in');
console.log('login attempt', { email: req.body.email });
// or configure redaction once: pino({ redact: ['req.headers.authorization', '*.password'] })
```

## Not flagged

Chosen non-secret fields (`user.id`, `{ userId: user.id, email: user.email }`,
`tokens.length`); values passed through any other function first (`redact(user)`,
`mask(token)`, `omit(user, ['password'])`); names that only look related (`userId`,
`userAgent`, `tokenExpiry`, `nextPageToken`, `totalTokens`, `csrfToken`); log calls reachable
only under a development check (`if (process.env.NODE_ENV === 'development')`); log calls
inside comments and JSDoc examples; tests, stories and `.d.ts` files; front-end code, which
logs to the user's own browser console: `'use client'` modules, files under `frontend/`,
`client/`, `public/`, Angular `*.component.ts`. Names that say the value is something else:
`stripeAccount` (an id), `dbUser` (a user name), `responseHeaders`; a value under a key
that names a chosen field (`{ accountId: event.account }`).

## How to suppress

`// prodlint-ignore TS105: value is a display name, not a user record` on the line or the
line above. Better: log chosen fields, or configure the logger's redaction
(`pino({ redact })`, a winston format) so the whole object is scrubbed everywhere.

## References

- https://cwe.mitre.org/data/definitions/532.html
- https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html
- https://getpino.io/#/docs/redaction
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import LOG_METHODS, callee_path, member_path, name_words


_SECRET_WORDS = {"TOKEN", "TOKENS", "PASSWORD", "PASSWORDS", "PASSWD", "PWD", "SECRET", "SECRETS", "AUTHORIZATION",
                 "COOKIE", "COOKIES", "APIKEY", "JWT", "PRIVATEKEY", "KEY", "CREDENTIAL", "CREDENTIALS", "CREDS"}


# A log call's callee ends in `.info` / `?.info` or `['info']`. Files that have a log method's
# word only elsewhere (an `error` variable, `level: 'debug'`) hold no log call: skip their calls.
# Two patterns, each with a literal first byte the regex engine can skip to, are much faster
# than one alternation.
_LOG_METHOD_NAMES = "|".join(sorted(LOG_METHODS))
_LOG_MEMBER = re.compile(rf"\.\s*(?:{_LOG_METHOD_NAMES})\b".encode())
_LOG_SUBSCRIPT = re.compile(rf"\[\s*['\"`](?:{_LOG_METHOD_NAMES})['\"`]\s*\]".encode())


def _may_log(data: bytes) -> bool:
    return _LOG_MEMBER.search(data) is not None or _LOG_SUBSCRIPT.search(data) is not None


_BROWSER_PARTS = {"frontend", "client", "browser", "public", "static", "www"}
_BROWSER_NAME = re.compile(r"\.(component|directive|pipe|client)\.[cm]?[jt]sx?$")


def _describe(node) -> str:
    path = member_path(node)
    if node.type == "call_expression":
        args = node.child_by_field_name("arguments")
        return f"{path[:-2]}({ts.text(args)[1:-1]})" if path.endswith("()") and args is not None else ts.text(node)[:40]
    if path:
        return path
    text = ts.text(node)
    return text if len(text) <= 40 else text[:37] + "…"


def _message(ctx, call, found) -> str:
    what = _describe(found)
    last = re.split(r"[.(]", what.rstrip(")"))[-1] if found.type != "call_expression" else what
    words = set(name_words(last.replace("-", "_"))) if found.type != "call_expression" else {"AUTHORIZATION"}
    env = ctx.semantics.env_name(found)
    if env is not None or words & _SECRET_WORDS:
        return (f"`{callee_path(call)}` logs `{what}`: a credential written to a log works for anyone who can read "
                "the log storage, drains and vendor dashboards; log that it is present or a masked form, never its value")
    if found.type in ("identifier", "shorthand_property_identifier") and ts.text(found) in ctx.semantics.request_body_locals or what.endswith((".body", ".rawBody")):
        return (f"`{callee_path(call)}` logs the whole request body (`{what}`): passwords, card numbers and personal data "
                "users submit reach log storage that many people and vendors can read; log chosen fields or redact it")
    return (f"`{callee_path(call)}` logs `{what}` whole: password hashes, tokens and personal data it carries reach "
            "log storage that many people and vendors can read; log chosen fields (an id) or redact it")


def _browser_file(path: str) -> bool:
    """Front-end code logs to the user's own browser console, not to log storage."""
    parts = path.split("/")
    return any(part in _BROWSER_PARTS for part in parts[:-1]) or _BROWSER_NAME.search(parts[-1]) is not None


@rule(
    code="TS105",
    slug="sensitive-data-logged",
    level="error",
    cwe=532,
    summary="Whole sensitive object or value written to a log",
    target="ts",
    security_severity=6.5,
    tags=("security", "logging", "privacy"),
    # Only logger calls are judged, and any logger's receiver may be configured (`logger-names`),
    # but its method is always one of these.
    triggers=tuple(sorted(LOG_METHODS)),
)
def check(ctx):
    semantics = ctx.semantics
    if not semantics.is_server_code or _browser_file(semantics.path) or not _may_log(ctx.source.data):
        return
    for call in ctx.find("call_expression"):
        found = semantics.sensitive_log_argument(call)
        if found is None:
            continue
        ctx.report(found, _message(ctx, call, found))
