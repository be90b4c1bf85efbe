"""What a credential looks like, for every rule that judges literal values (TS102, DC103, GH109).

API:

- `looks_like_credential(value, name=None, *, secret_like=None) -> str | None` — a short reason
  ("a Stripe live secret key", "a high-entropy literal") when `value` is a credential: either a
  known token format found anywhere in it, or — when `name` is given and secret-like — a
  high-entropy literal. None for placeholders, weak human-chosen words (`changeme`, `dev-secret`:
  those belong to TS101/DC103) and everything else.
- `token_kind(value) -> str | None` — the known token format in `value`, if any (no name needed).
- `is_placeholder(value) -> bool` — `your-…`, `xxx…`, `<…>`, `***`, `${…}`, `example`, `test`,
  `dummy`, `sk_test_…`, a single repeated character…
- `is_weak(value) -> bool` — a human-chosen word or phrase rather than generated randomness.
- `shannon_entropy(value) -> float` — bits per character.

Known formats are checked with their real shapes: lengths and alphabets, GitHub's CRC32
checksum (base62, last 6 characters) for `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`/`github_pat_`, a
JWT's header decoded to JSON with an `alg`, a PEM body after the `BEGIN … PRIVATE KEY` line.
A token-shaped string that fails its checksum is not reported on its shape alone; it still
counts as a high-entropy literal when it is bound to a secret-like name.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from typing import Callable

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_EDGE = r"(?<![A-Za-z0-9_-])"

_GITHUB = re.compile(_EDGE + r"(gh[pousr])_([A-Za-z0-9]{36})(?![A-Za-z0-9_])")
_GITHUB_PAT = re.compile(_EDGE + r"github_pat_([A-Za-z0-9]{22})_([A-Za-z0-9]{59})(?![A-Za-z0-9_])")
_JWT = re.compile(_EDGE + r"(eyJ[A-Za-z0-9_-]{8,})\.(eyJ[A-Za-z0-9_-]{8,})\.([A-Za-z0-9_-]{16,})")
_PEM = re.compile(r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----(.*?)(?:-----END|$)", re.S)

# (regex, reason, group holding the random part). The random part must not be a placeholder
# and must carry some entropy; formats with a checksum are handled above.
_FORMATS: list[tuple[re.Pattern, str, int]] = [
    (re.compile(_EDGE + r"sk_live_([A-Za-z0-9]{24,247})(?![A-Za-z0-9])"), "a Stripe live secret key", 1),
    (re.compile(_EDGE + r"rk_live_([A-Za-z0-9]{24,247})(?![A-Za-z0-9])"), "a Stripe live restricted key", 1),
    (re.compile(_EDGE + r"whsec_([A-Za-z0-9+/=]{32,})(?![A-Za-z0-9+/=])"), "a Stripe webhook signing secret", 1),
    (re.compile(_EDGE + r"sk-proj-([A-Za-z0-9_-]{40,})"), "an OpenAI project API key", 1),
    (re.compile(_EDGE + r"sk-(?:svcacct|admin)-([A-Za-z0-9_-]{40,})"), "an OpenAI API key", 1),
    (re.compile(_EDGE + r"sk-([A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9])"), "an OpenAI API key", 1),
    (re.compile(_EDGE + r"sk-or-v1-([a-f0-9]{64})(?![A-Za-z0-9])"), "an OpenRouter API key", 1),
    (re.compile(_EDGE + r"sk-ant-(?:api|admin)\d\d-([A-Za-z0-9_-]{80,})"), "an Anthropic API key", 1),
    (re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])"), "an AWS access key id", 1),
    (re.compile(_EDGE + r"xox[baprs]-(\d{8,14}-\d{8,14}(?:-\d{8,14})?-[A-Za-z0-9]{24,34})(?![A-Za-z0-9])"), "a Slack token", 1),
    (re.compile(r"https://hooks\.slack\.com/services/(T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})"), "a Slack webhook URL", 1),
    (re.compile(_EDGE + r"SG\.([A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])"), "a SendGrid API key", 1),
    (re.compile(_EDGE + r"glpat-([A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])"), "a GitLab personal access token", 1),
    (re.compile(_EDGE + r"npm_([A-Za-z0-9]{36})(?![A-Za-z0-9])"), "an npm access token", 1),
]

# The fixed part of every format above, for callers that rule values out before calling
# `token_kind` (its dozen regexes are the costly part): a value none of these match holds no
# known token. Keep in step with the formats; tests/test_secrets.py checks every sample.
TOKEN_HINT = re.compile(r"gh[pousr]_|github_pat_|[sr]k_live_|whsec_|sk-|AKIA|ASIA|xox[baprs]-|hooks\.slack\.com/services/|SG\.|glpat-|npm_|eyJ|-----BEGIN ")
TOKEN_HINT_BYTES = re.compile(TOKEN_HINT.pattern.encode())
# The same fixed parts among a file's words (`SourceFile.words` splits at `-` and `.`): every
# format but the AWS ids needs an edge before it, so its fixed part is a whole word or starts
# one. Checked in three cheap steps: a set lookup for the whole words, a search led by a
# literal space for the word starts, plain substring tests for the AWS prefixes.
_TOKEN_WORDS = frozenset(
    dollar + word for dollar in (b"", b"$") for word in (b"sk", b"xoxb", b"xoxa", b"xoxp", b"xoxr", b"xoxs", b"SG", b"glpat", b"BEGIN", b"slack")
)
_TOKEN_WORD_START = re.compile(rb" \$?(?:gh[pousr]_|github_pat_|[sr]k_live_|whsec_|npm_|eyJ)")


def may_hold_token(words: frozenset[bytes]) -> bool:
    """Whether a file with these words (`SourceFile.words`) can hold a known token format."""
    if not words.isdisjoint(_TOKEN_WORDS):
        return True
    joined = b" " + b" ".join(words)
    return b"AKIA" in joined or b"ASIA" in joined or _TOKEN_WORD_START.search(joined) is not None


_PLACEHOLDER = re.compile(
    r"(^|[^a-z])(your|my)[-_ ]?(own[-_ ]?)?(api[-_ ]?)?(key|secret|token|password|pass|app|stripe|openai|github|aws|slack|access)"
    r"|^your[-_ A-Z]|x{4,}|\*{3,}|\.{3}|…|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%[sd(]|"
    r"example|sample|dummy|placeholder|fake|mock|redacted|replace[-_ ]?me|insert[-_ ]?here|change[-_ ]?me|"
    r"^(sk|rk|pk)_test_|_test_|(^|[^a-z])test([^a-z]|$)|^test|test$|not[-_]?a[-_]?real|lorem|foobar|"
    r"0123456789|123456789|abcdefgh|abcdef0123|qwerty",
    re.I,
)
_WEAK_WORDS = re.compile(
    r"secret|passw|changeme|default|admin|qwerty|letmein|insecure|development|localhost|supersecret|topsecret|"
    r"password|hunter2|welcome|please|keyboard|cat$",
    re.I,
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PUBLIC_LAST_WORDS = {"ADDRESS", "ADDR", "HASH", "HASHED", "DIGEST", "CHECKSUM", "FINGERPRINT", "KID", "THUMBPRINT"}
_PUBLIC_WORDS = {"PUBLIC", "PUBLISHABLE", "SEARCH", "ANON"}
_BROWSER_KEY = re.compile(r"AIza[0-9A-Za-z_-]{35}")
_SEPARATORS = re.compile(r"[-_.:/ ]+")
_HASH_PREFIX = re.compile(r"^\$(2[abxy]?|argon2(id|i|d)|scrypt|pbkdf2)[$]")


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in counts.values())


def _base62_decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + _BASE62.index(char)
    return number


def github_checksum_ok(payload: str, checksum: str) -> bool:
    """GitHub tokens end in base62(CRC32(payload)), zero-padded to 6 characters."""
    try:
        return _base62_decode(checksum) == binascii.crc32(payload.encode("ascii")) & 0xFFFFFFFF
    except (ValueError, UnicodeEncodeError):
        return False


_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def is_placeholder(value: str) -> bool:
    """A value someone is meant to replace, or test data: never a real credential."""
    stripped = value.strip()
    if len(stripped) < 4:
        return True
    if _PLACEHOLDER.search(stripped) or _TIMESTAMP.match(stripped):
        return True
    counts = Counter(stripped)
    if counts.most_common(1)[0][1] >= max(4, len(stripped) * 0.5):
        return True  # aaaaaaaa, 00000000-0000-…
    if len(counts) <= 3:
        return True
    return False


def _camel_words(value: str) -> list[str]:
    return _CAMEL.findall(value)


def is_weak(value: str) -> bool:
    """A human-chosen word or phrase (`dev-secret`, `my_jwt_key_2024`, `IamUsedForTesting`)
    rather than generated randomness."""
    parts = [part for part in _SEPARATORS.split(value) if part]
    camel = _camel_words(value)
    if value.isalpha() and len(camel) >= 3 and "".join(camel) == value and all(len(word) >= 2 or word in ("I", "A") for word in camel) \
            and sum(map(len, camel)) >= 3 * len(camel):
        return True
    words = sum(part.isalpha() and len(part) >= 3 for part in parts)
    if parts and all(part.isalpha() or part.isdigit() or len(part) <= 3 for part in parts) and words >= 2:
        return True
    if parts and all(part.isalpha() and (part.islower() or part.isupper() or part.istitle()) for part in parts):
        return True
    return bool(_WEAK_WORDS.search(value))


def _random_enough(body: str, minimum: float = 3.0) -> bool:
    return not is_placeholder(body) and shannon_entropy(body) >= minimum


def _decode_segment(segment: str) -> dict | None:
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        decoded = json.loads(data)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def token_kind(value: str) -> str | None:
    """The known credential format found in `value`, as a short reason; None if none."""
    if not value or len(value) < 16:
        return None
    for match in _GITHUB.finditer(value):
        body = match.group(2)
        if github_checksum_ok(body[:30], body[30:]):
            return "a GitHub token (valid checksum)"
    for match in _GITHUB_PAT.finditer(value):
        body = match.group(2)
        if github_checksum_ok(body[:-6], body[-6:]):
            return "a GitHub fine-grained token (valid checksum)"
    for pattern, reason, group in _FORMATS:
        for match in pattern.finditer(value):
            body = match.group(group)
            if reason == "an AWS access key id":
                if "EXAMPLE" in body or not _random_enough(body[4:], 2.5):
                    continue
                return reason
            if _random_enough(body):
                return reason
    for match in _JWT.finditer(value):
        header, payload = _decode_segment(match.group(1)), _decode_segment(match.group(2))
        if header is None or "alg" not in header or payload is None:
            continue
        if str(header.get("alg", "")).lower() == "none":
            continue
        if payload.get("role") == "anon":
            continue  # a Supabase anon key: public by design
        return "a signed JWT"
    pem = _PEM.search(value)
    if pem:
        body = re.sub(r"\s+|\\[rnt]", "", pem.group(2))
        if len(body) >= 64 and re.fullmatch(r"[A-Za-z0-9+/=:,\-]+", body) and _random_enough(body, 4.0):
            return f"a PEM {pem.group(1).lower()}"
    return None


def is_high_entropy(value: str) -> bool:
    """Looks generated: long enough, no spaces, mixed character classes, high Shannon entropy."""
    if len(value) < 16 or len(value) > 4096 or any(char.isspace() for char in value):
        return False
    if "://" in value or value.startswith(("/", "./", "../", "#", "$")) or _HASH_PREFIX.match(value):
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value)))
    if classes < 2:
        return False
    threshold = 3.0 if len(value) >= 24 else 3.3
    if re.fullmatch(r"[0-9a-fA-F-]+", value):
        threshold = min(threshold, 3.0)
    return shannon_entropy(value) >= threshold


def looks_like_credential(
    value: str | None,
    name: str | None = None,
    *,
    secret_like: Callable[[str], bool] | None = None,
) -> str | None:
    """Why `value` (bound to `name`, if known) is a credential, or None."""
    if not value:
        return None
    kind = token_kind(value)
    if kind:
        return kind
    if not name:
        return None
    if secret_like is None:
        from linter.semantics import is_secret_like as secret_like  # noqa: N813
    if not secret_like(name):
        return None
    words = [word.upper() for word in _camel_words(name)]
    if words and words[-1] in _PUBLIC_LAST_WORDS:
        return None  # `BeeTokenAddress`, `passwordHash`: about a secret, not the secret
    if _PUBLIC_WORDS & set(words) or _BROWSER_KEY.fullmatch(value):
        return None  # search-only, publishable and anon keys, Google/Firebase browser keys: public by design
    if is_placeholder(value) or is_weak(value) or not is_high_entropy(value):
        return None
    return "a high-entropy literal"
