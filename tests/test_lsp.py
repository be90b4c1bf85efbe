"""End-to-end tests of `prodlint lsp`: a real client over stdio against the real server process,
with the capabilities Debian's Neovim 0.7 declares (push diagnostics only, UTF-16)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

CLIENT = "neovim@v0.7.0"
SOURCE = (
    "// Привет 😀 — a line of non-ASCII text before the finding\n"
    "export async function load(id: string) {\n"
    "  const привет = 1; const res = await fetch(`https://api.example.com/${id}`);\n"
    "  return res.json();\n"
    "}\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "lsp"]))
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities(CLIENT),
            root_uri=workspace.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def open_document(client: LanguageClient, path: Path, text: str, language: str = "typescript") -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    await wait_for_diagnostics(client, uri, version=1)
    return uri


async def wait_for_diagnostics(client: LanguageClient, uri: str, version: int | None = None, timeout: float = 10.0):
    deadline = asyncio.get_event_loop().time() + timeout
    while True:
        params = await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), deadline - asyncio.get_event_loop().time())
        if params.uri == uri and (version is None or params.version == version):
            return list(params.diagnostics)


def change(client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=text)],
        )
    )


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 columns) to a text, back to front."""
    lines = text.split("\n")

    def offset(position: lsp.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units, index = 0, 0
        while index < len(line) and units < position.character:
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return before + index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
        lines = text.split("\n")
    return text


@pytest.mark.asyncio
async def test_open_reports_exact_utf16_range_with_rule_link(client: LanguageClient, workspace: Path) -> None:
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    diagnostics = client.diagnostics[uri]
    assert [d.code for d in diagnostics] == ["TS201"]
    diagnostic = diagnostics[0]
    line = SOURCE.splitlines()[2]
    start = len(line[: line.index("fetch")].encode("utf-16-le")) // 2
    assert diagnostic.range.start == lsp.Position(2, start)
    assert diagnostic.range.end == lsp.Position(2, start + len("fetch(`https://api.example.com/${id}`)"))
    assert diagnostic.source == "prodlint" and diagnostic.severity == lsp.DiagnosticSeverity.Warning
    assert diagnostic.code_description.href.endswith("ts201-fetch-without-timeout")


@pytest.mark.asyncio
async def test_change_save_and_close(client: LanguageClient, workspace: Path) -> None:
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    # Line 3 (0-based): `  return res.json();` -> a second fetch.
    change(client, uri, 2, (3, 2), (3, 20), "return fetch('https://api.example.com/health');")
    diagnostics = await wait_for_diagnostics(client, uri, version=2)
    assert sorted(d.range.start.line for d in diagnostics) == [2, 3]
    # Fix the first call by typing a signal into it.
    line = SOURCE.splitlines()[2]
    end = len(line[: line.index("`);")].encode("utf-16-le")) // 2 + 1
    change(client, uri, 3, (2, end), (2, end), ", { signal: AbortSignal.timeout(5000) }")
    diagnostics = await wait_for_diagnostics(client, uri, version=3)
    assert [d.range.start.line for d in diagnostics] == [3]
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    diagnostics = await wait_for_diagnostics(client, uri)
    assert [d.range.start.line for d in diagnostics] == [3]
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    assert await wait_for_diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_rapid_edits_leave_the_newest_version(client: LanguageClient, workspace: Path) -> None:
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    for version in range(2, 30):
        change(client, uri, version, (0, 3), (0, 3), "x")
    diagnostics = await wait_for_diagnostics(client, uri, version=29)
    assert [d.code for d in diagnostics] == ["TS201"]


@pytest.mark.asyncio
async def test_code_actions_fix_and_ignore_then_recheck_clean(client: LanguageClient, workspace: Path) -> None:
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    diagnostic = client.diagnostics[uri][0]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), diagnostic.range, lsp.CodeActionContext(diagnostics=[diagnostic]))
    )
    titles = [action.title for action in actions]
    assert titles == ["Add `signal: AbortSignal.timeout(…)` (TS201)", "Ignore TS201 on this line", "Ignore TS201 in this file"]
    for version, action in enumerate(actions, start=2):
        fixed = apply(SOURCE, action.edit.changes[uri])
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [lsp.TextDocumentContentChangeWholeDocument(text=fixed)])
        )
        assert await wait_for_diagnostics(client, uri, version=version) == [], f"{action.title}:\n{fixed}"
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version + 100), [lsp.TextDocumentContentChangeWholeDocument(text=SOURCE)])
        )
        assert len(await wait_for_diagnostics(client, uri, version=version + 100)) == 1


@pytest.mark.asyncio
async def test_ignore_action_inside_jsx_uses_a_jsx_comment(client: LanguageClient, workspace: Path) -> None:
    text = (
        "export default async function Report() {\n"
        "  return (\n"
        "    <div>\n"
        "      <Rows rows={await fetch(process.env.REPORT_URL!)} />\n"
        "    </div>\n"
        "  );\n"
        "}\n"
    )
    uri = await open_document(client, workspace / "src" / "Reload.tsx", text, "typescriptreact")
    diagnostic = client.diagnostics[uri][0]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), diagnostic.range, lsp.CodeActionContext(diagnostics=[diagnostic]))
    )
    ignore = next(action for action in actions if action.title == "Ignore TS201 on this line")
    assert ignore.edit.changes[uri][0].new_text == "      {/* prodlint-ignore TS201 */}\n"


@pytest.mark.asyncio
async def test_hover_shows_the_rule_documentation(client: LanguageClient, workspace: Path) -> None:
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    start = client.diagnostics[uri][0].range.start
    result = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(start.line, start.character + 2)))
    assert result.contents.kind == lsp.MarkupKind.Markdown
    assert "# TS201 fetch-without-timeout" in result.contents.value and "## Use instead" in result.contents.value
    nothing = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 0)))
    assert nothing is None


@pytest.mark.asyncio
async def test_settings_and_config_file_reload(client: LanguageClient, workspace: Path) -> None:
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"prodlint": {"levels": {"TS201": "error"}}}))
    diagnostics = await wait_for_diagnostics(client, uri)
    assert diagnostics[0].severity == lsp.DiagnosticSeverity.Error
    config = workspace / ".prodlint.toml"
    config.write_text("ignore = ['TS201']\n", encoding="utf-8")
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(config.as_uri())))
    assert await wait_for_diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_hostile_documents_do_not_kill_the_server(client: LanguageClient, workspace: Path) -> None:
    broken = await open_document(client, workspace / "src" / "broken.ts", "export function (( {\n  return fetch(u);\n")
    assert all(d.source == "prodlint" for d in client.diagnostics[broken])
    huge_path = workspace / "src" / "huge.ts"
    huge_text = "const x = 1;\n" * 200_000
    huge_path.write_text(huge_text, encoding="utf-8")
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(huge_path.as_uri(), "typescript", 1, huge_text)))
    deep = "const x = " + "(" * 3000 + "1" + ")" * 3000 + ";\nfetch(u);\n"
    await open_document(client, workspace / "src" / "deep.ts", deep)
    uri = await open_document(client, workspace / "src" / "api.ts", SOURCE)
    assert [d.code for d in client.diagnostics[uri]] == ["TS201"]
    assert any("huge.ts: skipped" in message.message for message in client.log_messages)


@pytest.mark.asyncio
async def test_cross_file_rule_follows_saves_of_other_files(client: LanguageClient, workspace: Path) -> None:
    (workspace / "package.json").write_text('{"name": "chat", "dependencies": {"socket.io": "4.8.1"}}', encoding="utf-8")
    io_text = (
        "import { createServer } from 'node:http';\n"
        "import { Server } from 'socket.io';\n\n"
        "export const http = createServer();\n"
        "export const io = new Server(http);\n"
    )
    auth_text = (
        "import { io } from './io';\n"
        "import { verifySession } from './session';\n\n"
        "io.use(async (socket, next) => {\n"
        "  const ok = await verifySession(socket.handshake.auth.token);\n"
        "  next(ok ? undefined : new Error('unauthorized'));\n"
        "});\n"
    )
    (workspace / "src" / "session.ts").write_text("export async function verifySession(token: string) { return token.length > 0; }\n", encoding="utf-8")
    auth_path = workspace / "src" / "auth.ts"
    auth_path.write_text(auth_text, encoding="utf-8")
    io_uri = await open_document(client, workspace / "src" / "io.ts", io_text)
    for _ in range(200):  # the workspace index is built in the background; it says when it is done
        if any("indexed" in message.message for message in client.log_messages):
            break
        await asyncio.sleep(0.05)
    assert [d.code for d in client.diagnostics.get(io_uri, [])] == []

    auth_uri = auth_path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(auth_uri, "typescript", 1, auth_text)))
    without_auth = "import { io } from './io';\n\nio.on('connection', (socket) => socket.emit('hello'));\n"
    auth_path.write_text(without_auth, encoding="utf-8")
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=auth_uri, version=2), [lsp.TextDocumentContentChangeWholeDocument(text=without_auth)])
    )
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(auth_uri)))

    def io_findings() -> list:
        return [(d.code, d.range.start.line) for d in client.diagnostics.get(io_uri, [])]

    # The save publishes for auth.ts and then io.ts back to back; a waiter registered per
    # notification can miss the second, so watch the client's latest diagnostics instead.
    deadline = asyncio.get_event_loop().time() + 30
    while io_findings() != [("TS106", 4)] and asyncio.get_event_loop().time() < deadline:
        await asyncio.sleep(0.02)
    assert io_findings() == [("TS106", 4)]
