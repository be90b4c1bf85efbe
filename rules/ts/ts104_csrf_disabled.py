"""## What it finds

CSRF protection switched off in an app that authenticates with cookies:

- `csrf: false`, `csrfProtection: false` (and `enableCsrf`/`checkCsrf: false`) options, for
  example `lusca({ csrf: false })`; Apollo Server's `csrfPrevention: false`;
  `csrf: { enabled: false }` and SvelteKit's `csrf: { checkOrigin: false }`;
- next-auth / Auth.js `skipCSRFCheck`; `disableCSRFCheck: true` (better-auth) and similar
  `skipCsrf: true` switches;
- a CSRF middleware registration left commented out: `// app.use(csrf(...))`,
  `// app.use(csurf())`, `// fastify.register(fastifyCsrf)`. A comment that merely talks
  about CSRF is not a finding.

Only reported when the file, a module it imports, or a module that imports it uses cookies
or sessions (`cookie-parser`, `express-session`, `cookie-session`, `@fastify/cookie`,
`@fastify/session`, `iron-session`, `next-auth`, `cookies()` from `next/headers`,
`req.cookies`, `req.session`, `res.cookie(…)`): an API authenticated only by bearer tokens
has nothing for CSRF to steal.

## Why it matters in production

Browsers attach cookies to cross-site requests. Without a CSRF check, any page the user
visits can submit a form or `fetch` to your app and act as the user: change the e-mail,
transfer money, delete data. `SameSite=Lax` cookies narrow this but do not cover
top-level `GET`s with side effects, older browsers or sibling subdomains.

## Example

```ts
app.use(session({ secret, cookie: { secure: true } }));
// app.use(csurf());
app.use(lusca({ csrf: false, xframe: 'SAMEORIGIN' }));
```

## Use instead

```ts
app.use(lusca({ csrf: true, xframe: 'SAMEORIGIN' }));
// or the double-submit pattern: csrf-csrf, @fastify/csrf-protection
```

## Not flagged

`csrf: true` and registered CSRF middleware; API-only servers whose import closure never
touches cookies or sessions; comments that mention CSRF without a commented-out
registration; tests.

## How to suppress

`// prodlint-ignore TS104: bearer-token API, cookies only carry the locale` on the line or the line above.

## References

- https://owasp.org/www-community/attacks/csrf
- https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.semantics import member_path

_OFF_KEYS = {"csrf", "csrfprotection", "enablecsrf", "checkcsrf", "csrfcheck", "xsrf", "xsrfprotection", "csrfprevention"}
_SKIP_KEYS = {"disablecsrfcheck", "disablecsrf", "skipcsrf", "skipcsrfcheck", "ignorecsrf"}
_SESSION_MODULES = re.compile(
    r"^(cookie-parser|cookie-session|express-session|cookies|cookie|@fastify/(cookie|session|secure-session)|fastify-(cookie|session|secure-session)"
    r"|iron-session|next-auth(/.*)?|@auth/.+|koa-session|@hapi/cookie|lucia|better-auth(/.*)?|passport)$"
)
# Every session signal `_session_use` reads holds one of these whole words: a module name
# (`express-session`, `next-auth`, `@auth/core`, `better-auth`, `lucia`, `passport`), `cookies`
# from next/headers, or a `.cookies`/`.session`/`.signedCookies`/`.cookie(`/`.setCookie(`/
# `.clearCookie(` member.
_SESSION_WORDS = frozenset({b"cookie", b"cookies", b"session", b"signedCookies", b"setCookie", b"clearCookie", b"auth", b"lucia", b"passport"})
_SESSION_MEMBERS = re.compile(r"\.(cookies|session|signedCookies)$")
_SESSION_CALLS = re.compile(r"\.(cookie|setCookie|clearCookie|session)$|^cookies$")
_COMMENTED_REGISTRATION = re.compile(
    r"^\s*(?:await\s+)?[A-Za-z_$][\w$]*(?:\.[\w$]+)*\.(?:use|register)\s*\((?=[^)]*(?:csrf|csurf|xsrf))[^\n]*\)\s*;?\s*$",
    re.I,
)
_COMMENT_MARKERS = re.compile(r"^\s*(?://+|/\*+|\*+/?)?")


def _session_use(ctx) -> bool:
    for entry in ctx.module_facts["imports"]:
        if _SESSION_MODULES.match(entry["spec"]):
            return True
        if entry["spec"] == "next/headers" and any(name == "cookies" for name, _ in entry["names"]):
            return True
    for node in ctx.find("member_expression", "call_expression"):
        if node.type == "member_expression" and _SESSION_MEMBERS.search("." + ts.text(node.child_by_field_name("property"))):
            base = member_path(node.child_by_field_name("object")).rsplit(".", 1)[-1].lower()
            if base in ("req", "request", "ctx", "c", "res", "reply"):
                return True
        elif node.type == "call_expression":
            path = member_path(node.child_by_field_name("function"))
            if path and _SESSION_CALLS.search(path) and not path.startswith(("document.", "window.")):
                return True
    return False


def _commented_registrations(ctx):
    """(start_byte, end_byte) of each comment line that is a CSRF middleware registration."""
    for comment in ctx.captures("comments").get("comment", []):
        raw = comment.text
        offset = 0
        for line in raw.split(b"\n"):
            text = line.decode("utf-8", errors="replace")
            body = _COMMENT_MARKERS.sub("", text, count=1).rstrip().removesuffix("*/").rstrip()
            if _COMMENTED_REGISTRATION.match(body):
                start = comment.start_byte + offset
                yield start + (len(line) - len(line.lstrip())), start + len(line.rstrip())
            offset += len(line) + 1


def _switched_off(ctx):
    """Nodes of options that turn CSRF protection off."""
    for node in ctx.find("pair", "identifier", "shorthand_property_identifier"):
        if node.type == "pair":
            key = node.child_by_field_name("key")
            name = (ts.string_value(key) if key is not None and key.type == "string" else ts.text(key)).lower()
            value = ts.unwrap(node.child_by_field_name("value"))
            if value is None:
                continue
            if (name in _OFF_KEYS and value.type == "false") or (name in _SKIP_KEYS and value.type == "true"):
                yield node, f"`{ts.text(node)}` turns CSRF protection off"
            elif name in ("checkorigin", "enabled") and value.type == "false":
                holder = node.parent.parent if node.parent is not None else None
                if holder is not None and holder.type == "pair" and ts.text(holder.child_by_field_name("key")).strip("'\"").lower() == "csrf":
                    yield node, f"`csrf: {{ {ts.text(node)} }}` turns CSRF protection off"
        elif node.type in ("identifier", "shorthand_property_identifier") and ts.text(node) == "skipCSRFCheck":
            parent = node.parent
            if parent is not None and parent.type in ("import_specifier", "export_specifier"):
                continue
            if parent is not None and parent.type == "pair" and parent.child_by_field_name("key") == node:
                continue  # the key; its value is reported
            yield (parent if parent is not None and parent.type == "pair" else node), "`skipCSRFCheck` turns Auth.js's CSRF check off"


def collect(ctx):
    source = ctx.source
    # Cheap checks first: every off switch names CSRF/XSRF; every session signal names a
    # cookie, a session or an auth library.
    mentions_csrf = source.mentions(b"csrf", b"xsrf")
    mentions_session = not source.words.isdisjoint(_SESSION_WORDS)
    if not (mentions_csrf or mentions_session) or not ctx.semantics.is_server_code:
        return None
    candidates = []
    if mentions_csrf:
        candidates = [{"location": ctx.location(node), "message": message} for node, message in _switched_off(ctx)]
        for start, end in _commented_registrations(ctx):
            location = ctx.location((start, end))
            candidates.append({"location": location, "message": f"`{location.snippet.lstrip('/* ').strip()}` is commented out, so nothing checks CSRF tokens"})
    session = mentions_session and _session_use(ctx)
    if not candidates and not session:
        return None
    return {"candidates": candidates, "session": session}


@rule(
    code="TS104",
    slug="csrf-disabled",
    level="warning",
    cwe=352,
    summary="CSRF protection switched off in a cookie-based app",
    target="project",
    collect=collect,
    precision="high",
    security_severity=6.5,
    tags=("security", "csrf"),
)
def check(ctx):
    facts = ctx.index.facts("TS104")
    with_session = {path for path, data in facts.items() if data.get("session")}
    if not with_session:
        return
    for path, data in sorted(facts.items()):
        if not data["candidates"]:
            continue
        related = ctx.index.import_closure(path) | ctx.index.reverse_closure(path)
        users = sorted(related & with_session)
        if not users:
            continue
        where = "this file" if path in users else f"`{users[0]}`"
        for candidate in data["candidates"]:
            ctx.report(candidate["location"], f"{candidate['message']} while {where} uses cookies or sessions: "
                                              "any site can make requests as a signed-in user")
