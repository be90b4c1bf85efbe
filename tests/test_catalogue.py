"""Every rule is complete: it loads, documents itself, and has fixtures that exercise it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations import parse_annotations
from linter import ts
from linter.registry import DOC_SECTIONS, load_errors, load_rules
from test_fixtures import FIXTURES, fixture_files

RULES = load_rules()


def test_every_rule_file_loads() -> None:
    assert not load_errors, "\n".join(load_errors)


def test_codes_and_slugs_are_unique() -> None:
    # unique within a family (TS, DC, GH): RULES.md names DC103 and GH109 both `hardcoded-credentials`
    slugs = [(rule.code.rstrip("0123456789"), rule.slug) for rule in RULES.values()]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    sections = rule.doc_sections()
    missing = [name for name in DOC_SECTIONS if not sections.get(name)]
    assert not missing, f"{code} docstring lacks sections: {missing}"
    assert rule.summary and not rule.summary.endswith("."), f"{code}: summary is a short phrase without a full stop"
    assert Path(rule.source_file).name.startswith(code.lower() + "_"), f"{code}: file should be named {code.lower()}_<slug>.py"
    assert rule.slug.replace("-", "_") in Path(rule.source_file).stem


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_positive_and_negative_fixtures(code: str) -> None:
    expects = oks = 0
    for path in fixture_files():
        notes = parse_annotations(path.read_text(encoding="utf-8", errors="replace"))
        expects += sum(code in codes for codes in notes.expect.values())
        oks += sum(code in codes for codes in notes.ok.values())
    assert expects >= 8 and oks >= 8, f"{code}: {expects} expect and {oks} ok annotations; want at least 8 of each"


@pytest.mark.parametrize("name", ts.query_names())
@pytest.mark.parametrize("lang", ["typescript", "tsx"])
def test_queries_compile(name: str, lang: str) -> None:
    ts.query(name, lang)
