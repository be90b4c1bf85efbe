"""Shared path and name vocabulary, on the shapes real repositories use."""

from __future__ import annotations

import pytest

from linter.semantics import is_secret_like, is_test_path


@pytest.mark.parametrize(
    "path",
    [
        "src/api.test.ts", "src/api.spec.tsx", "src/__tests__/api.ts", "test/setup.ts", "tests/e2e/login.ts",
        "e2e/checkout.ts", "cypress/support/commands.ts", "playwright/fixtures.ts",
        "integration-tests/http/helpers.ts", "packages/medusa-test-utils/src/database.ts",
        "packages/core/integration-tests/utils.ts", "apps/web/integration/setup.ts", "src/__mocks__/stripe.ts", "apps/web/testing/render.tsx",
    ],
)
def test_test_paths(path: str) -> None:
    assert is_test_path(path)


@pytest.mark.parametrize(
    "path",
    ["src/api.ts", "src/testimonials/card.tsx", "src/contest/rules.ts", "app/latest/page.tsx", "src/attestation.ts", "src/specification-store.ts", "apps/web/integrations/slack/lib/slack.ts"],
)
def test_not_test_paths(path: str) -> None:
    assert not is_test_path(path)


@pytest.mark.parametrize("name", ["JWT_SECRET", "jwtSecret", "STRIPE_API_KEY", "dbPassword", "SUPABASE_SERVICE_ROLE_KEY", "sessionToken"])
def test_secret_like(name: str) -> None:
    assert is_secret_like(name)


@pytest.mark.parametrize("name", ["NEXT_PUBLIC_API_KEY", "JWT_SECRET_FILE", "TOKEN_EXPIRY", "PASSWORD_RESET_TEMPLATE", "API_URL", "PORT", "NEXT_PRIVATE_SMTP_HOST", "PASSWORD_HIBP_CHECK_DISABLED"])
def test_not_secret_like(name: str) -> None:
    assert not is_secret_like(name)


def _semantics(source: str):
    from linter import ts
    from linter.config import Config
    from linter.context import FileContext
    from linter.source import SourceFile

    data = source.encode("utf-8")
    return FileContext(SourceFile("src/config.ts", data), Config(), ts.parse(data, "typescript"), "typescript").semantics


@pytest.mark.parametrize(
    "condition, development",
    [
        ("process.env.NODE_ENV === 'development'", True),
        ("process.env.NODE_ENV !== 'production'", True),
        ("process.env.NEXT_PUBLIC_VERCEL_ENV === 'production'", False),
        ("NODE_ENV !== 'production'", True),
        ("env.APP_ENV == 'prod'", False),
        ("process.env.LOG_LEVEL === 'production'", None),
        ("process.env.NODE_ENV === 'staging'", None),
    ],
)
def test_environment_checks(condition: str, development) -> None:
    semantics = _semantics(f"const env = process.env;\nconst {{ NODE_ENV }} = process.env;\nconst flag = {condition};\n")
    declarator = [node for node in semantics.ctx.find("variable_declarator") if node.child_by_field_name("name").text == b"flag"][0]
    assert semantics._environment_check(declarator.child_by_field_name("value")) is development
