"""## What it finds

Credentials written into the code as literals:

- known token formats anywhere in a string: Stripe `sk_live_`/`rk_live_`/`whsec_`, OpenAI
  `sk-proj-`, OpenRouter `sk-or-v1-`, Anthropic `sk-ant-`, AWS `AKIA…`/`ASIA…` key ids, GitHub
  `ghp_`/`gho_`/`ghs_`/`github_pat_` tokens whose CRC32 checksum is valid, Slack `xoxb-`/`xoxp-`
  tokens and webhook URLs, SendGrid, GitLab and npm tokens, signed JWTs (`eyJ…` in three parts
  whose header is JSON with an `alg`), PEM private keys;
- high-entropy literals assigned or passed to something secret-like: `jwtSecret: '…'`,
  `const API_KEY = '…'`, `this.signingKey = '…'`, `jwt.sign(payload, '…')`,
  `createHmac('sha256', '…')`, `new Stripe('…')`, `cookieParser('…')`, and a fixed
  `Authorization: 'Bearer …'` header.

## Why it matters in production

A secret in the source is in every clone, fork, CI log, build artefact and (for client code)
in the JavaScript every visitor downloads. It cannot be rotated without a deploy, and the
git history keeps it after it is removed. Leaked keys are found by scanners within minutes
of a push.

## Example

```ts
const stripe = new Stripe('sk_live_…');
export const jwtSecret = 'q8Vw3nZ1rT6yB0eLk4sJ9mXc2HfGp7Da';
```

## Use instead

```ts
const stripe = new Stripe(requireEnv('STRIPE_SECRET_KEY'));
export const jwtSecret = requireEnv('JWT_SECRET');
```

Then revoke the leaked key: removing it from the code does not remove it from git history.

## Not flagged

Placeholders (`your-api-key`, `xxxx…`, `<token>`, `***`, `${VAR}`, `example`, `test`, `dummy`,
`sk_test_…`, repeated characters), weak human-chosen words such as `changeme` or `dev-secret`
(TS101 reports those when they are env fallbacks), values read from the environment,
keys that are public by design (Supabase anon keys, Firebase/Google browser keys `AIza…`,
search-only, publishable and anon keys by name), names about a secret rather than the
secret (`tokenAddress`, `passwordHash`, `JWT_SECRET_FILE`), token-shaped strings whose checksum fails unless
bound to a secret-like name, password hashes, tests, stories and `.d.ts` files. A
high-entropy `const` that only serves as an environment variable's fallback
(`process.env.JWT_SECRET || DEFAULT_SECRET`) is left to TS101 (fallback-secret); a known
live token format is reported either way.

## How to suppress

`// prodlint-ignore TS102: public test-mode key from the vendor's docs` on the line or the line above.

## References

- https://cwe.mitre.org/data/definitions/798.html
- https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
- https://docs.stripe.com/keys
"""

from __future__ import annotations

import re

from linter import ts
from linter.registry import rule
from linter.secrets import TOKEN_HINT, TOKEN_HINT_BYTES, looks_like_credential, may_hold_token, token_kind
from linter.semantics import call_arguments, is_declaration_path, is_story_path, member_path

_STRING_TYPES = ("string", "template_string")
_WRAPPERS = ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression")
_ENCODERS = {"from", "encode", "createSecretKey", "Buffer"}  # Buffer.from('…'), new TextEncoder().encode('…')

# (callee's last word, argument index) -> what that argument is: a sink needs no name.
_AUTH_HEADERS = {"authorization", "proxy-authorization"}
_AUTH_SCHEME = re.compile(r"^(Bearer|Basic|Token|token|Bot)\s+(\S{16,})$")
_SINK_PREFIX = "sink:"
_SINKS = {
    ("sign", 1): "JWT signing key",
    ("verify", 1): "JWT signing key",
    ("createHmac", 1): "HMAC key",
    ("createCipheriv", 1): "cipher key",
    ("createDecipheriv", 1): "cipher key",
    ("Stripe", 0): "Stripe secret key",
    ("Resend", 0): "API key",
    ("cookieParser", 0): "cookie secret",
    ("twilio", 1): "auth token",
    ("Twilio", 1): "auth token",
}


_NOT_A_NAME = re.compile(r"[/\\.\s:@]")

_NO_WHITESPACE = re.compile(r"\S{16,}")
_ASCII_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"))


def _bound_value_after(quote: bytes) -> bytes:
    """What follows `quote` (already matched) when it opens a literal whose whole value could be a
    high-entropy credential: 16+ bytes with no whitespace, backslash or closing quote, then the
    closing quote, with two of lower case, upper case and digits (or a non-ASCII byte) among them;
    or a run without whitespace that reaches an escape (rare: left to the exact check). The value
    `ts.string_value` gives is these very bytes, so the test is exact, not a guess."""
    ends_run = rb"%s\s\\" % quote

    def holds(chars: bytes) -> bytes:
        # skips what is neither `chars` nor the run's end in one greedy step: a lazy `.*?` costs 20% more
        return rb"(?=[^%s%s]*+[%s])" % (ends_run, chars, chars)

    mixed = b"(?:" + holds(b"a-z") + holds(b"A-Z0-9") + b"|" + holds(b"A-Z") + holds(b"0-9") + b"|" + holds(rb"\x80-\xff") + b")"
    return rb"(?<=%s)(?:(?=[^%s]{16,}%s)" % (quote, ends_run, quote) + mixed + rb"|(?=[^%s]*\\\S))" % ends_run


# The opening quote of every literal whose whole value can be reported once bound to a secret
# (see `_may_be_bound_credential`): a high-entropy shape, not a path or `$…`, or an
# `Authorization` scheme. Each match is the quote alone, so every quote in the file is tried
# as an opening one; in ordinary code most literals (paths, words, sentences, i18n keys) fail
# here, in C, and never cost a tree lookup. Token formats are found by their fixed part instead.
_BOUND_LITERAL_START = re.compile(
    rb"[\"'`](?=\S{16})(?![/#$]|\.\.?/)(?:" + b"|".join(_bound_value_after(quote) for quote in (b"'", b'"', b"`")) + rb")"
    rb"|[\"'`](?=(?:Bearer|Basic|Token|token|Bot)\s)"
)


def _candidate_literals(ctx) -> list:
    """The string and template literals (18+ bytes with their quotes; no credential shape is
    shorter) that could hold a credential, in document order. They are found from the bytes
    and looked up in the tree one by one, so files full of ordinary strings cost a regex
    scan, not a visit of every string node. A superset of what `check` can report: a token
    format needs its fixed part (`TOKEN_HINT`) somewhere in the literal; anything else is
    judged on the whole value, which must pass `_may_be_bound_credential` and so matches
    `_BOUND_LITERAL_START` at the literal's own opening quote."""
    data = ctx.source.data
    root = ctx.root
    found: dict[int, object] = {}
    for match in _BOUND_LITERAL_START.finditer(data):
        start = match.start()
        node = root.named_descendant_for_byte_range(start, start + 1)
        if node is not None and node.start_byte == start and node.type in _STRING_TYPES:
            found[start] = node  # else the quote closes a literal, or sits in a comment or another literal
    if may_hold_token(ctx.source.words):
        for match in TOKEN_HINT_BYTES.finditer(data):
            node = root.named_descendant_for_byte_range(match.start(), match.start() + 1)
            while node is not None and node.type not in _STRING_TYPES:
                node = node.parent
            if node is not None:
                found.setdefault(node.start_byte, node)
    literals = [found[start] for start in sorted(found)]
    return [
        node
        for node in literals
        if node.end_byte - node.start_byte >= 18 and (node.parent is None or node.parent.type not in _STRING_TYPES)
    ]


def _may_be_bound_credential(value: str) -> bool:
    """Whether a value with no known token format could still be reported once bound to a secret:
    only a high-entropy literal or an `Authorization` scheme can. Checks the cheap necessary parts of
    `is_high_entropy` in C (no whitespace; two of lower case, upper case and digits), not the whole."""
    if _NO_WHITESPACE.fullmatch(value) is None:
        return _AUTH_SCHEME.match(value) is not None
    if "://" in value or value.startswith(("/", "./", "../", "#", "$")):
        return False
    return not value.isascii() or sum(pattern.search(value) is not None for pattern in _ASCII_CLASSES) >= 2


def _binding_name(literal) -> str | None:
    """The secret-like place a literal is stored in or passed to, as a name; None if it is neither."""
    node = literal
    parent = node.parent
    while parent is not None and parent.type in _WRAPPERS:
        node, parent = parent, parent.parent
    # Buffer.from('…'), new TextEncoder().encode('…'): look at what the encoded value is bound to.
    if parent is not None and parent.type == "arguments" and parent.parent is not None:
        call = parent.parent
        callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        last = member_path(callee).rsplit(".", 1)[-1] if callee is not None else ""
        args = [arg for arg in parent.named_children if arg.type != "comment"]
        index = next((i for i, arg in enumerate(args) if arg == node), -1)
        sink = _SINKS.get((last, index))
        if sink:
            return f"{_SINK_PREFIX}{sink}"
        if last in _ENCODERS and index == 0:
            return _binding_name(call)
        return None
    if parent is None:
        return None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        name = parent.child_by_field_name("name")
        return ts.text(name) if name is not None and name.type == "identifier" else None
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        key = parent.child_by_field_name("key")
        name = ts.string_value(key) if key is not None and key.type == "string" else ts.text(key)
        # a key that is a path, URL or sentence (`"app/api-key/page.mdx": "2024-…"`) names no variable
        return name if name is not None and not _NOT_A_NAME.search(name) else None
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = member_path(parent.child_by_field_name("left"))
        return left.rsplit(".", 1)[-1] if left else None
    if parent.type in ("public_field_definition", "property_signature") and parent.child_by_field_name("value") == node:
        return ts.text(parent.child_by_field_name("name"))
    if parent.type == "jsx_attribute" and parent.named_children and parent.named_children[0] != node:
        return ts.text(parent.named_children[0])
    if parent.type in ("assignment_pattern", "required_parameter", "optional_parameter", "object_assignment_pattern"):
        target = parent.child_by_field_name("left") or parent.child_by_field_name("pattern")
        return ts.text(target) if target is not None and target.type in ("identifier", "shorthand_property_identifier_pattern") else None
    return None


def _env_fallback(ctx, name: str) -> bool:
    """`name` is used as the literal fallback of an environment variable somewhere in the file."""
    semantics = ctx.semantics
    for identifier in ctx.find("identifier"):
        parent = identifier.parent
        if ts.text(identifier) != name or parent is None or parent.type != "binary_expression":
            continue
        if parent.child_by_field_name("right") != identifier or ts.text(parent.child_by_field_name("operator")) not in ("||", "??"):
            continue
        left = ts.unwrap(parent.child_by_field_name("left"))
        while left is not None and left.type == "binary_expression":
            left = ts.unwrap(left.child_by_field_name("left"))
        if semantics.env_name(left) is not None:
            return True
    return False


def _values(node):
    """The literal's text, or for a template with substitutions, each fixed fragment."""
    value = ts.string_value(node)
    if value is not None:
        yield value, True
    elif node.type == "template_string":
        for part in node.named_children:
            if part.type == "string_fragment":
                yield ts.text(part), False


@rule(
    code="TS102",
    slug="hardcoded-secret",
    level="error",
    cwe=798,
    summary="Credential literal in code",
    target="ts",
    precision="high",
    security_severity=8.0,
    tags=("security", "secrets"),
)
def check(ctx):
    semantics = ctx.semantics
    path = semantics.path
    if semantics.is_test or is_declaration_path(path) or is_story_path(path):
        return
    for node in _candidate_literals(ctx):
        for value, whole in _values(node):
            # token_kind runs a dozen regexes; one search for the formats' fixed parts rules most values out.
            may_be_token = TOKEN_HINT.search(value) is not None
            kind = token_kind(value) if may_be_token else None
            name = None
            if kind is None and whole:
                if not may_be_token and not _may_be_bound_credential(value):
                    continue
                name = _binding_name(node)
                scheme = _AUTH_SCHEME.match(value) if name and name.lower() in _AUTH_HEADERS else None
                if scheme:
                    kind = looks_like_credential(scheme.group(2), "AUTH_TOKEN", secret_like=lambda _name: True)
                elif name and name.startswith(_SINK_PREFIX):
                    kind = looks_like_credential(value, "SECRET", secret_like=lambda _name: True)
                elif name and (may_be_token or semantics.is_secret_like(name)):
                    kind = looks_like_credential(value, name, secret_like=semantics.is_secret_like)
            if kind is None:
                continue
            if kind == "a high-entropy literal" and name and _env_fallback(ctx, name):
                continue  # `process.env.X || NAME`: TS101 reports the fallback
            if name and name.startswith(_SINK_PREFIX):
                where = f" as the {name[len(_SINK_PREFIX):]}"
            else:
                where = f" in `{name}`" if name and name.isidentifier() else ""
            ctx.report(node, f"{kind} is hardcoded{where}: everyone with the repository or the build has it; "
                             "load it from the environment or a secret store, and rotate it")
            break
