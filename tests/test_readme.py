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
