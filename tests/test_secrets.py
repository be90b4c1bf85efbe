"""Unit tests of `linter.secrets`: the credential shapes TS102 (and DC103/GH109) rely on.

Every token here is generated in the test from a seeded random source; none is a real secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import string

import pytest

from linter.secrets import (
    TOKEN_HINT,
    github_checksum_ok,
    is_high_entropy,
    is_placeholder,
    is_weak,
    looks_like_credential,
    may_hold_token,
    shannon_entropy,
    token_kind,
)
from linter.source import SourceFile

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
RNG = random.Random(20240611)


def assert_hinted(value: str) -> None:
    """What callers use to skip `token_kind` must let every recognised token through: in the
    value, and among the words of a file that holds it, whatever stands before it."""
    assert TOKEN_HINT.search(value), value
    for prefix in ("", "x = '", "$", "key:", "a.b/"):
        words = SourceFile("a.ts", (prefix + value + "'").encode()).words
        assert may_hold_token(words), prefix + value


@pytest.mark.parametrize(
    ("text", "may_hold"),
    [
        ("sk = 1", True), ("$sk", True), ("task-sk", True), ("x.SG.y", True), ("xoxb", True), ("AKIAX", True), ("xASIA", True),
        ("eyJhb", True), ("$eyJ", True), ("ghp_a", True), ("a-github_pat_b", True), ("npm_x", True), ("BEGIN", True), ("slack", True),
        ("skx", False), ("xoxc", False), ("AKI A", False), ("xeyJ", False), ("ghq_a", False), ("mynpm_x", False), ("BEGINS", False),
        ("", False), ("plain words only", False),
    ],
)
def test_may_hold_token_near_misses(text: str, may_hold: bool) -> None:
    """A format's fixed part must start a word (or be one); the same letters inside a longer
    word, or a neighbouring prefix, are not enough."""
    assert may_hold_token(SourceFile("a.ts", text.encode()).words) is may_hold, text


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def base62(number: int, width: int = 6) -> str:
    out = ""
    while number:
        number, digit = divmod(number, 62)
        out = BASE62[digit] + out
    return out.rjust(width, "0")


def github_token(prefix: str = "ghp") -> str:
    payload = rand(30)
    return f"{prefix}_{payload}{base62(binascii.crc32(payload.encode()))}"


def github_pat() -> str:
    tail = rand(53)
    return f"github_pat_{rand(22)}_{tail}{base62(binascii.crc32(tail.encode()))}"


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("prefix", ["ghp", "gho", "ghu", "ghs", "ghr"])
def test_github_tokens_with_valid_checksum(prefix):
    for _ in range(20):
        token = github_token(prefix)
        assert token_kind(token) == "a GitHub token (valid checksum)"
        assert_hinted(token)
        assert token_kind(f"Authorization: token {token}") is not None


def test_github_token_with_broken_checksum_is_not_a_known_format():
    token = github_token()
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert token_kind(broken) is None
    # ... but bound to a secret-like name it is still a high-entropy literal
    assert looks_like_credential(broken, "GITHUB_TOKEN") == "a high-entropy literal"
    assert looks_like_credential(broken, "label") is None


def test_github_fine_grained_token():
    token = github_pat()
    assert token_kind(token) == "a GitHub fine-grained token (valid checksum)"
    assert_hinted(token)
    assert github_checksum_ok("abc", "000000") is False


def test_known_formats():
    cases = {
        "sk_live_" + rand(24): "a Stripe live secret key",
        "rk_live_" + rand(99): "a Stripe live restricted key",
        "whsec_" + rand(32): "a Stripe webhook signing secret",
        "sk-proj-" + rand(64, ALNUM + "_-"): "an OpenAI project API key",
        "sk-or-v1-" + rand(64, "0123456789abcdef"): "an OpenRouter API key",
        "AKIA" + rand(16, string.ascii_uppercase + "234567"): "an AWS access key id",
        f"xoxb-{rand(12, string.digits)}-{rand(13, string.digits)}-{rand(24)}": "a Slack token",
        f"https://hooks.slack.com/services/T{rand(10, string.ascii_uppercase)}/B{rand(10, string.ascii_uppercase)}/{rand(24)}":
            "a Slack webhook URL",
        f"SG.{rand(22)}.{rand(43)}": "a SendGrid API key",
        "glpat-" + rand(20): "a GitLab personal access token",
        "npm_" + rand(36): "an npm access token",
        "sk-ant-api03-" + rand(90, ALNUM + "_-"): "an Anthropic API key",
    }
    for value, reason in cases.items():
        assert token_kind(value) == reason, value
        assert looks_like_credential(value) == reason
        assert_hinted(value)


def test_jwt_needs_a_json_header_with_alg():
    header = b64url({"alg": "HS256", "typ": "JWT"})
    payload = b64url({"sub": "svc", "role": "service_role"})
    jwt = f"{header}.{payload}.{rand(43, ALNUM + '-_')}"
    assert token_kind(jwt) == "a signed JWT"
    assert_hinted(jwt)
    assert token_kind(f"{b64url({'typ': 'JWT'})}.{payload}.{rand(43)}") is None
    assert token_kind(f"eyJ{rand(20)}.eyJ{rand(20)}.{rand(43)}") is None  # not decodable JSON
    anon = b64url({"iss": "supabase", "role": "anon"})
    assert token_kind(f"{header}.{anon}.{rand(43)}") is None  # public by design


def test_pem_private_key_needs_a_body():
    body = base64.b64encode(RNG.randbytes(600)).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----"
    assert token_kind(pem) == "a PEM rsa private key"
    assert_hinted(pem)
    assert token_kind("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----") is None
    assert token_kind("-----BEGIN PUBLIC KEY-----\n" + lines + "\n-----END PUBLIC KEY-----") is None


@pytest.mark.parametrize(
    "value",
    [
        "your-api-key-here", "YOUR_STRIPE_SECRET", "xxxxxxxxxxxxxxxxxxxx", "<token>", "********", "${JWT_SECRET}",
        "{{ secrets.KEY }}", "sk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2", "example-key-1234567", "dummy_token_value",
        "test-secret", "aaaaaaaaaaaaaaaa", "0000000000000000", "AKIAIOSFODNN7EXAMPLE", "abc",
    ],
)
def test_placeholders(value):
    assert is_placeholder(value)
    assert looks_like_credential(value, "API_KEY") is None


@pytest.mark.parametrize("value", ["changeme", "dev-secret", "my-super-secret-jwt-key", "supersecretkey123", "JWTSECRETKEY"])
def test_weak_words_belong_to_ts101(value):
    assert is_weak(value)
    assert looks_like_credential(value, "JWT_SECRET") is None


def test_high_entropy_literals_need_a_secret_like_name():
    value = rand(40, ALNUM + "+/")
    assert is_high_entropy(value)
    assert looks_like_credential(value, "jwtSecret") == "a high-entropy literal"
    assert looks_like_credential(value, "SESSION_SECRET") == "a high-entropy literal"
    assert looks_like_credential(value, "apiKey") == "a high-entropy literal"
    assert looks_like_credential(value, "requestId") is None
    assert looks_like_credential(value, "NEXT_PUBLIC_API_KEY") is None
    assert looks_like_credential(value, "JWT_SECRET_FILE") is None
    assert looks_like_credential(value) is None
    assert looks_like_credential(rand(32, "0123456789abcdef"), "API_KEY") == "a high-entropy literal"


@pytest.mark.parametrize(
    "value",
    ["https://api.example.com/v1/tokens", "/var/run/secrets/jwt", "Invalid password provided", "sha256",
     "$2b$12$Q9v8WcZ1mXrT5yB3nLk7eO1d2F4g6H8j0K2m4N6p8R0t2V4x6Z8a.", "APP_ENCRYPTION_KEY_V2", "x-api-key"],
)
def test_not_high_entropy(value):
    assert looks_like_credential(value, "API_KEY") is None


def test_entropy():
    assert shannon_entropy("") == 0
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2


def test_camel_case_phrases_are_weak():
    assert is_weak("IamUsedForTesting")
    assert is_weak("WelcomeToTheShop")
    assert not is_weak("kQzPmWnRtYxVbHgFqLsD")


def test_names_about_a_secret():
    address = "0x" + rand(40, "0123456789abcdefABCDEF")
    assert looks_like_credential(address, "BeeTokenAddress") is None
    assert looks_like_credential(rand(40), "passwordHash") is None
    assert looks_like_credential(rand(40), "privateKey") == "a high-entropy literal"


def test_public_by_design_keys():
    assert looks_like_credential("AIza" + rand(35, ALNUM + "_-"), "apiKey") is None  # Firebase web config
    assert looks_like_credential(rand(32, "0123456789abcdef"), "searchApiKey") is None  # Algolia search-only
    assert looks_like_credential(rand(32, "0123456789abcdef"), "adminApiKey") == "a high-entropy literal"
