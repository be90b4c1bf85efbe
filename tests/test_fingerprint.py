"""Fingerprints: GitHub's `primaryLocationLineHash` exactly as upload-sarif computes it, and
prodlint's own stable key surviving unrelated edits.

`tests/data/github_line_hashes.json` holds inputs with the hashes that github/codeql-action's
`src/fingerprints.ts` `hash()` produced for them under Node (see the file's `about`): line
endings of every kind, blank and whitespace-only lines, identical lines (`:N` suffixes), lines
longer and files shorter than the 100-unit window, astral and Cyrillic characters, a BOM, a
missing final newline, an empty file, and multi-byte characters across Node's 64 KiB read
chunks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.config import load_config
from linter.engine import scan
from linter.fingerprint import github_line_hashes, normalize_snippet, stable_fingerprint

DATA = json.loads((Path(__file__).parent / "data" / "github_line_hashes.json").read_text(encoding="utf-8"))
CASES = DATA["cases"]


def case_text(name: str) -> str:
    return "".join(text * repeat for text, repeat in CASES[name]["parts"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_line_hashes_match_the_upload_action(name: str) -> None:
    expected = {int(line): value for line, value in CASES[name]["hashes"].items()}
    assert github_line_hashes(case_text(name)) == expected


def test_reference_data_covers_the_tricky_inputs() -> None:
    texts = {name: case_text(name) for name in CASES}
    assert any(text == "" for text in texts.values())
    assert any(text.startswith("\ufeff") for text in texts.values())
    assert any("\r" in text.replace("\r\n", "") for text in texts.values())  # a lone CR
    assert any(any(ord(char) > 0xFFFF for char in text) for text in texts.values())
    assert any(len(text.encode("utf-8")) > 65536 for text in texts.values())
    assert any(value.endswith(":2") for case in CASES.values() for value in case["hashes"].values())


def test_a_file_ending_in_a_newline_gets_a_hash_for_the_empty_last_line() -> None:
    # upload-sarif counts the position after the final newline as a line of its own
    assert sorted(github_line_hashes("a\nb\n")) == [1, 2, 3]
    assert sorted(github_line_hashes("a\nb")) == [1, 2]


def scan_one(root: Path, rel: str, data: bytes):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = scan([root], load_config(root), root=root, jobs=1)
    return [finding for finding in result.findings if finding.code == "TS201"]


def test_scanned_file_with_bom_and_crlf_carries_the_action_hash(tmp_path: Path) -> None:
    # The engine strips the BOM for columns; the hash must still see it, as Node does.
    (tmp_path / "package.json").write_text('{"name": "orders", "dependencies": {"fastify": "^5.0.0"}}')
    findings = scan_one(tmp_path, "src/server.ts", case_text("bom-crlf-server").encode("utf-8"))
    assert len(findings) == 1
    line = findings[0].location.start_line
    assert line == 6
    assert findings[0].location.line_hash == CASES["bom-crlf-server"]["hashes"][str(line)]


SERVER = """import Fastify from 'fastify';

const app = Fastify();

app.get('/orders/:id', async (request) => {
  const res = await fetch(`${process.env.ORDERS_URL}/orders/${request.params.id}`);
  return res.json();
});
"""


def test_stable_fingerprint_survives_lines_inserted_above(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "orders"}')
    before = scan_one(tmp_path, "src/server.ts", SERVER.encode())
    shifted = SERVER.replace("const app = Fastify();", "// Orders API\n\nconst app = Fastify();\napp.register(import('@fastify/helmet'));\n")
    after = scan_one(tmp_path, "src/server.ts", shifted.encode())
    assert len(before) == len(after) == 1
    assert after[0].location.start_line == before[0].location.start_line + 4
    assert after[0].fingerprint == before[0].fingerprint
    # re-indenting the call is not a change of the finding either
    reindented = SERVER.replace("  const res = await fetch(", "      const res =\n        await fetch(")
    assert scan_one(tmp_path, "src/server.ts", reindented.encode())[0].fingerprint == before[0].fingerprint


def test_stable_fingerprint_changes_when_the_offending_expression_changes(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "orders"}')
    before = scan_one(tmp_path, "src/server.ts", SERVER.encode())
    changed = scan_one(tmp_path, "src/server.ts", SERVER.replace("/orders/${request", "/v2/orders/${request").encode())
    assert len(before) == len(changed) == 1
    assert changed[0].fingerprint != before[0].fingerprint


def test_identical_calls_in_one_symbol_get_distinct_fingerprints(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "orders"}')
    twice = SERVER.replace("  return res.json();", "  const again = await fetch(`${process.env.ORDERS_URL}/orders/${request.params.id}`);\n  return res.json();")
    findings = scan_one(tmp_path, "src/server.ts", twice.encode())
    assert len(findings) == 2
    assert findings[0].fingerprint != findings[1].fingerprint


def test_stable_fingerprint_ignores_whitespace_only() -> None:
    assert normalize_snippet("fetch(\n    url\n)") == normalize_snippet("fetch( url )") == "fetch(url)"
    assert normalize_snippet('get("/a", { b: 1, },)') == normalize_snippet("get('/a', {b: 1})")
    one = stable_fingerprint("TS201", "src/a.ts", "fetch(url)", "load", 1)
    assert one == stable_fingerprint("TS201", "src/a.ts", " fetch(url)\n", "load", 1)
    assert one != stable_fingerprint("TS201", "src/a.ts", "fetch(url)", "load", 2)
    assert one != stable_fingerprint("TS201", "src/b.ts", "fetch(url)", "load", 1)
