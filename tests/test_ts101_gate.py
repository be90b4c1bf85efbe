"""TS101 scans for fallbacks, and collects a file during the scan at all (`Rule.eager`), only
where `may_fall_back` says a fallback can be: that gate is an optimisation only, so every
fallback the ungated scan finds must be in a file it lets through."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import ts
from linter.config import Config
from linter.context import FileContext
from linter.source import SourceFile
from rules.ts import ts101_fallback_secret as ts101


def _context(code: str, secret_names: tuple[str, ...] = ()) -> FileContext:
    source = SourceFile("src/config.ts", code.encode())
    language = ts.language_for(source.path)
    return FileContext(source, Config(root=Path("."), secret_names=list(secret_names)), ts.parse(source.data, language), language)


def _ungated_fallbacks(ctx: FileContext) -> list[dict]:
    facts = ts101._File(ctx)
    facts.scan()
    return facts.findings + facts.pending


CASES = {
    "pair split by a hyphen": ("const key = process.env['STRIPE-API-KEY'] || 'dev';", ()),
    "pair in camel case through an alias": ("const { env } = process;\nconst key = env.stripeApiKey ?? 'dev';", ()),
    "computed schema key": ("createEnv({ server: { [`${PREFIX}_SECRET`]: z.string().default('dev') } });", ()),
    "configured name in a getter": ("const key = Env.get('APP_KEY', 'local');", ("APP_KEY",)),
    "configured name, other case": ("const key = process.env.app_key || 'local';", ("APP_KEY",)),
    # `'ſ'.upper()` is `'S'`: the name matches the configured one although its bytes do not.
    "configured name, non-ASCII spelling": ("const id = process.env['ſIGNER_ID'] || 'local';", ("SIGNER_ID",)),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_gate_lets_every_fallback_through(case: str) -> None:
    ctx = _context(*CASES[case])
    assert _ungated_fallbacks(ctx), "the case must be one the rule flags"
    assert ts101.may_fall_back(ctx)


def test_the_gate_skips_files_without_a_secret_name() -> None:
    ctx = _context("const port = process.env.PORT || '3000';\nconst url = process.env.API_URL ?? 'http://x';")
    assert not ts101.may_name_a_secret(ctx)
    assert not ts101.may_fall_back(ctx)
