"""## What it finds

Literal values for secret-like names in a service's `environment:` (map and `KEY=value`
list syntax) and `build.args`: `POSTGRES_PASSWORD: postgres`, `- JWT_SECRET=s3cr3t`,
`MYSQL_ROOT_PASSWORD: root`, `GF_SECURITY_ADMIN_PASSWORD: admin`, `RABBITMQ_DEFAULT_PASS:
guest`, `MINIO_ROOT_PASSWORD: minioadmin`, `API_KEY: sk_live_…`; interpolation with a literal
default for a secret (`${DB_PASSWORD:-postgres}`: the default is what runs when the variable
is unset); and passwords inside connection URLs (`postgres://app:app@db:5432/app`).

## Why it matters in production

A compose file is committed, copied to servers, pasted into issues and baked into images.
Default credentials (`postgres`/`postgres`, `admin`/`admin`, `guest`/`guest`) are the first
thing scanners try, and a literal default behind `${VAR:-…}` silently ships whenever the
deployment forgets to set the variable.

## Example

```yaml
services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: postgres
```

## Use instead

```yaml
services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}
      # or: POSTGRES_PASSWORD_FILE: /run/secrets/db_password  (with `secrets:`)
```

## Not flagged

`${VAR}`, `${VAR:?error}` and `${VAR:-}` interpolation, `*_FILE` variables and paths under
`/run/secrets/`, `env_file:`, variables passed through without a value (`- API_KEY`), empty
values, switches such as `MYSQL_ALLOW_EMPTY_PASSWORD: "yes"`, settings about a secret
(`JWT_SECRET_PATH`, `PASSWORD_MIN_LENGTH`) and URLs without a password.

## How to suppress

`# prodlint-ignore DC103: local-only test database` on the line above the value.

## References

- https://docs.docker.com/compose/how-tos/use-secrets/
- https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/
"""

import re

from linter.compose import compose_of, interpolations
from linter.registry import rule
from linter.secrets import is_placeholder
from linter.semantics import is_secret_like, name_words

_SWITCH_WORDS = {"ALLOW", "RANDOM", "EMPTY", "GENERATE", "ENABLE", "ENABLED", "DISABLE", "REQUIRE", "REQUIRED", "USE", "SKIP"}
_BOOLEAN = {"true", "false", "yes", "no", "on", "off", "0", "1", "y", "n", "none", "null"}
_DEFAULTS = {
    "postgres", "root", "admin", "guest", "password", "changeme", "change-me", "secret", "example", "mysql", "mongo",
    "minioadmin", "redis", "pass", "passw0rd", "123456", "12345678", "test", "default", "letmein", "elastic", "changeit",
}
_URL_CREDENTIALS = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@[^\s]")


_ALIASES = {"PASS": "PASSWORD", "PASSPHRASE": "PASSWORD", "PW": "PASSWORD", "PSW": "PASSWORD"}
_NOT_SECRET_LAST = {
    "FILE", "PATH", "DIR", "USER", "USERS", "USERNAME", "LENGTH", "HASH", "HOST", "PORT", "URL", "URI", "EXPIRY", "EXPIRES",
    "TTL", "ALGORITHM", "HOURS", "MINUTES", "SECONDS", "DAYS", "LIMIT", "RATE", "COUNT", "SIZE", "TIMEOUT", "INTERVAL",
    "ATTEMPTS", "POLICY", "MODE", "VERSION", "ENABLED", "DISABLED", "REQUIRED", "IN", "ID", "NAME", "EMAIL", "PREFIX",
    "AGE", "MAX", "MIN", "MS", "TIME", "DURATION", "LIFETIME", "ROTATION", "ROUNDS", "LEN", "BITS", "STRENGTH", "TYPE",
    "FORMAT", "ENCODING", "ALGO", "HEADER", "ISSUER", "AUDIENCE", "FIELD", "COOKIE", "METHOD", "PROVIDER", "BACKEND",
    "REGEX", "PATTERN", "LOCATION", "ENDPOINT", "SERVER", "DOMAIN", "REGION", "BUCKET", "LEVEL", "COMPLEXITY",
}
_SENTINEL = re.compile(r"^((user|self)[-_]?provided|none|null|disabled|unset|empty|required)$", re.I)


def _secret_name(ctx, name: str) -> bool:
    words = [_ALIASES.get(word, word) for word in name_words(name)]
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    if _SWITCH_WORDS & set(words) and words[-1] not in ("KEY", "TOKEN", "SECRET"):
        return False
    if words[-2:] == ["ACCESS", "KEY"] and "SECRET" not in words:
        return False  # `AWS_ACCESS_KEY`, `MINIO_ACCESS_KEY`: the key id (a user name), not its secret
    return is_secret_like("_".join(words), tuple(ctx.config.secret_names), tuple(ctx.config.public_names)) or is_secret_like(
        name, tuple(ctx.config.secret_names), tuple(ctx.config.public_names)
    )


def _not_a_value(text: str) -> bool:
    """Values that cannot be a credential: file references, numbers and durations, sentinels."""
    stripped = text.strip()
    if stripped.startswith(("/run/secrets/", "file://")) or (stripped.startswith("/") and " " not in stripped and "/" in stripped[1:]):
        return True
    if re.fullmatch(r"[\d.]+\s*([a-zA-Z]{1,7}|/[a-z]+|[a-zA-Z]{1,7}/[a-z]+)", stripped) or re.fullmatch(r"\d{1,3}", stripped):
        return True  # `5m`, `24h`, `60/minute`, `30`; `123456` stays a (weak) password
    return bool(_SENTINEL.match(stripped)) or set(stripped) <= {"*", "x", "X", "-", "."}


def _judge(ctx, name: str, value: str):
    """(start, end, what) inside `value` of a hardcoded credential, or None."""
    text = value.strip()
    lead = len(value) - len(value.lstrip())
    if not text or text.lower() in _BOOLEAN:
        return None
    url = _URL_CREDENTIALS.search(text)
    if url and "$" not in url.group("password"):
        start = lead + url.start("password")
        return start, start + len(url.group("password")), "a password inside a connection URL"
    if not _secret_name(ctx, name):
        return None
    found = interpolations(text)
    if found:
        for item in found:
            default = item.default
            if default and not interpolations(default) and default.strip().lower() not in _BOOLEAN and not _not_a_value(default) \
                    and (default.strip().lower() in _DEFAULTS or not is_placeholder(default)):
                start = lead + item.argument_start
                kind = "a default credential" if default.strip().lower() in _DEFAULTS else "a literal"
                return start, start + len(default), f"{kind} as the fallback of `${{{item.name}}}`"
        return None
    if _not_a_value(text):
        return None
    kind = "a default credential" if text.lower() in _DEFAULTS else "a literal credential"
    return lead, lead + len(text), kind


def _variable(entry) -> str:
    """The variable to require: the one the value already reads, or the entry's own name."""
    found = interpolations(entry.value or "")
    return found[0].name if found else entry.name


@rule(
    code="DC103",
    slug="hardcoded-credentials",
    level="error",
    cwe=(798, 1392),
    summary="Credential written into a compose file",
    target="compose",
    security_severity=8.5,
    tags=("security", "secrets", "docker-compose"),
)
def check(ctx):
    compose = compose_of(ctx)
    if compose is None:
        return
    for service in compose.services:
        for where, entries in (("environment", service.environment()), ("build.args", service.build_args())):
            for entry in entries:
                if entry.value is None or isinstance(entry.literal, bool):
                    continue
                hit = _judge(ctx, entry.name, entry.value)
                if hit is None:
                    continue
                start, end, what = hit
                offset = entry.span[0] if entry.span else 0
                span = (offset + start, offset + end)
                yield ctx.report(
                    entry.route,
                    f"`{entry.name}` of service `{service.name}` ({where}) holds {what}: everyone with the repository "
                    f"(and every image or server it is copied to) has it; use `${{{_variable(entry)}:?}}` from the environment "
                    "or a `secrets:` file",
                    span=span,
                )
