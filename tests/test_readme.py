"""The README's rule table is the registry's, not a hand-kept copy."""

from __future__ import annotations

import re
from pathlib import Path

from linter.cli import rules_markdown
from linter.registry import load_rules

README = Path(__file__).parent.parent / "README.md"


def test_rules_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- rules-table:.*?-->\n(.*?)<!-- end rules-table -->", text, re.S)
    assert match, "README lacks the rules-table markers"
    assert match.group(1) == rules_markdown(load_rules()), "regenerate with `prodlint rules --format markdown`"


def test_rule_docs_page_is_current() -> None:
    """SARIF `helpUri` and the editor's rule links point at docs/rules.md#<code>-<slug>."""
    from linter.cli import rules_docs

    page = README.parent / "docs" / "rules.md"
    rules = load_rules()
    assert page.read_text(encoding="utf-8") == rules_docs(rules), "regenerate with `prodlint rules --format docs > docs/rules.md`"
    for rule in rules.values():
        assert rule.doc_url.endswith(f"docs/rules.md#{rule.code.lower()}-{rule.slug}")
        assert f"\n## {rule.code} {rule.slug}\n" in page.read_text(encoding="utf-8")
