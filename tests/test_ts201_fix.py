"""TS201's fix, applied as a tool would apply it (the byte-offset `TextEdit`s of `Finding.fix`),
must leave code that parses and no longer triggers TS201."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from linter import ts
from linter.config import load_config
from linter.engine import scan

FIXTURE = Path(__file__).parent / "fixtures" / "TS201"
BOM = b"\xef\xbb\xbf"

CASES = {
    "src/one-arg.ts": "export const load = async (url: string) => {\n  const res = await fetch(url);\n  return res.json();\n};\n",
    "src/empty-init.ts": "export async function ping(url: string) {\n  return fetch(url, {});\n}\n",
    "src/trailing-commas.ts": (
        "export async function save(url: string, body: string) {\n"
        "  return fetch(\n"
        "    url,\n"
        "    {\n"
        "      method: 'POST',\n"
        "      body, // already serialised\n"
        "    },\n"
        "  );\n"
        "}\n"
        "export const head = (url: string) => fetch(url,);\n"
    ),
    "src/comment-only-init.ts": "export const get = (url: string) => fetch(url, { /* defaults */ });\n",
    "src/nested.ts": (
        "export async function all(urls: string[]) {\n"
        "  return Promise.all(urls.map((u) => fetch(u, { headers: { accept: 'application/json' } }).then((r) => r.json())));\n"
        "}\n"
    ),
    "app/api/items/route.tsx": (
        "export async function GET() {\n"
        "  const res = await fetch(`${process.env.ITEMS_URL}/🚀/ёлка`, { cache: 'no-store' });\n"
        "  return Response.json(await res.json());\n"
        "}\n"
    ),
    "src/bom.ts": BOM + "// Заказы\r\nexport const orders = (url: string) => fetch(url);\r\n".encode("utf-8"),
}


def apply_fixes(root: Path, findings) -> set[str]:
    """Apply every TS201 fix, file by file, edits from the end so offsets stay valid."""
    by_path: dict[str, list] = {}
    for finding in findings:
        if finding.code == "TS201" and finding.fix is not None:
            by_path.setdefault(finding.location.path, []).extend(finding.fix.edits)
    for rel, edits in by_path.items():
        raw = (root / rel).read_bytes()
        bom = raw.startswith(BOM)
        data = raw[len(BOM):] if bom else raw  # offsets count from after a BOM, as columns do
        for edit in sorted(edits, key=lambda edit: edit.start_byte, reverse=True):
            data = data[: edit.start_byte] + edit.replacement.encode("utf-8") + data[edit.end_byte :]
        (root / rel).write_bytes((BOM if bom else b"") + data)
    return set(by_path)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    for rel, content in CASES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def test_applying_the_fixes_leaves_valid_code_without_ts201(repo: Path) -> None:
    before = scan([repo], load_config(repo), root=repo, jobs=1)
    fixable = [finding for finding in before.findings if finding.code == "TS201" and finding.fix is not None]
    unfixable = [finding for finding in before.findings if finding.code == "TS201" and finding.fix is None]
    assert {finding.location.path for finding in fixable} >= set(CASES)
    assert all(finding.fix.applicability == "safe" for finding in fixable)

    changed = apply_fixes(repo, before.findings)

    for rel in changed:
        data = (repo / rel).read_bytes().removeprefix(BOM)
        tree = ts.parse(data, ts.language_for(rel))
        assert not tree.root_node.has_error, f"{rel} no longer parses:\n{data.decode()}"
        assert data.count(b"AbortSignal.timeout(10000)") >= 1
    after = scan([repo], load_config(repo), root=repo, jobs=1)
    assert not [notice for notice in after.notices if notice.path in changed]
    remaining = [finding for finding in after.findings if finding.code == "TS201"]
    # only the calls the rule cannot fix (an init held in a variable, axios, got...) are left
    assert sorted((f.location.path, f.location.snippet) for f in remaining) == sorted(
        (f.location.path, f.location.snippet) for f in unfixable
    )


def test_fix_text_in_the_simple_cases(repo: Path) -> None:
    before = scan([repo], load_config(repo), root=repo, jobs=1)
    apply_fixes(repo, before.findings)
    assert "await fetch(url, { signal: AbortSignal.timeout(10000) });" in (repo / "src/one-arg.ts").read_text()
    assert "fetch(url, { signal: AbortSignal.timeout(10000) });" in (repo / "src/empty-init.ts").read_text()
    trailing = (repo / "src/trailing-commas.ts").read_text()
    assert "body, signal: AbortSignal.timeout(10000), // already serialised" in trailing
    assert "fetch(url, { signal: AbortSignal.timeout(10000) },)" in trailing
    assert (repo / "src/bom.ts").read_bytes().startswith(BOM + "// Заказы\r\n".encode())
