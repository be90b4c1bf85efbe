"""`prodlint lsp`: a light language server over stdio (pygls 2).

The same engine and rules as the CLI, on the editor's buffers: per-file rules run on every
change (coalesced, with tree-sitter's incremental re-parse), cross-file rules on open and
save against an index of the workspace built once in the background and refreshed file by
file on save. Diagnostics are pushed (`publishDiagnostics`) to clients without pull support
(Neovim 0.7) and served on request to clients that pull. Nothing a document or a rule does
may take the server down: errors go to `window/logMessage`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from linter import __version__
from linter.config import Config, ConfigError, _codes, _levels, load_config
from linter.discover import DEFAULT_EXCLUDES, Target, discover, kind_of, relative
from linter.engine import analyze_source, finalize, run_project_rules, selected_rules
from linter.finding import FileResult, Finding
from linter.source import SourceFile
from linter.suppress import find_ignores

_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning, "note": lsp.DiagnosticSeverity.Information}
_CONFIG_NAMES = ("pyproject.toml", ".prodlint.toml")
log = logging.getLogger("prodlint.lsp")


def uri_to_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


@dataclass
class DocumentState:
    uri: str
    path: str  # relative to the workspace root
    kind: str
    version: int = -1
    data: bytes = b""
    tree: object = None
    result: FileResult | None = None
    findings: list[Finding] = field(default_factory=list)  # per-file rules, finalized
    project_findings: list[Finding] = field(default_factory=list)  # cross-file rules, as of the last open/save
    pending: asyncio.TimerHandle | None = None


class ProdlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("prodlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.root: Path = Path.cwd()
        self.base_config: Config = Config(root=self.root)
        self.overrides: dict = {}
        self.config: Config = self.base_config
        self.rules: dict = {}
        self.documents: dict[str, DocumentState] = {}
        self.debounce = 0.005
        self.pull = False
        self.workspace_results: dict[str, FileResult] | None = None
        self.workspace_targets: list = []  # where deferred project facts are read from (`Rule.eager`)
        self.manifests: dict = {}
        self.index_lock = threading.Lock()
        self.indexing = False

    # -- configuration --

    def load_configuration(self) -> None:
        try:
            base = load_config(self.root)
        except ConfigError as error:
            self.log(f"configuration error: {error}", lsp.MessageType.Error)
            base = Config(root=self.root)
        config = base
        try:
            if "select" in self.overrides:
                config.select = _codes(self.overrides["select"])
            if "ignore" in self.overrides:
                config.ignore = list(config.ignore) + _codes(self.overrides["ignore"])
            if "levels" in self.overrides:
                config.levels = {**config.levels, **_levels(self.overrides["levels"])}
            self.rules = selected_rules(config)
        except (ConfigError, ValueError) as error:
            self.log(f"settings error: {error}", lsp.MessageType.Error)
            config = base
            self.rules = selected_rules(config)
        self.config = config

    def apply_settings(self, settings) -> None:
        if not isinstance(settings, dict):
            return
        settings = settings.get("prodlint", settings)
        if not isinstance(settings, dict):
            return
        self.overrides = {key: settings[key] for key in ("select", "ignore", "levels") if key in settings}
        if isinstance(settings.get("debounceMs"), (int, float)):
            self.debounce = max(0.0, settings["debounceMs"] / 1000)

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=f"prodlint: {message}"))
        except Exception:  # the client may be gone; never let logging raise
            log.exception("cannot log to client")

    # -- analysis --

    def state_for(self, uri: str) -> DocumentState | None:
        state = self.documents.get(uri)
        if state is not None:
            return state
        path = uri_to_path(uri)
        if path is None:
            return None
        kind = kind_of(path.name)
        if kind is None and path.name not in _CONFIG_NAMES:
            return None
        rel = relative(path, self.root)
        if kind == "yaml":
            try:
                from linter.yamlscan import select_yaml_targets
            except ImportError:
                return None
            if not select_yaml_targets([Target(path, rel, rel, "yaml")], self.config):
                return None
        state = DocumentState(uri=uri, path=rel, kind=kind or "config")
        self.documents[uri] = state
        return state

    def analyze(self, uri: str, project_facts: bool = True) -> DocumentState | None:
        """Check the buffer. Cross-file findings are refreshed on open and save only, so while
        typing (`project_facts=False`) the project rules' per-file collection is skipped too."""
        state = self.state_for(uri)
        if state is None or state.kind == "config":
            return state
        document = self.workspace.get_text_document(uri)
        version = document.version if document.version is not None else 0
        data = document.source.encode("utf-8")
        bom = data.startswith(b"\xef\xbb\xbf")
        if bom:
            data = data[3:]
        if len(data) > self.config.max_file_size:
            state.findings, state.result, state.version, state.data = [], None, version, data
            self.log(f"{state.path}: skipped, {len(data):,} bytes is over max-file-size", lsp.MessageType.Info)
            return state
        old_tree = self._edited_tree(state, data) if state.kind == "ts" else None
        source = SourceFile(state.path, data, state.path, bom=bom)
        rules = [rule for rule in self.rules.values() if project_facts or rule.target != "project"]
        result, tree = analyze_source(source, state.kind, self.config, rules, old_tree)
        if not project_facts and state.result is not None:
            result.facts = {**state.result.facts, "module": result.facts.get("module", {})}
        for notice in result.notices:
            self.log(f"{state.path}: {notice.message}", lsp.MessageType.Warning if notice.level != "note" else lsp.MessageType.Info)
        findings, _ = finalize(result.findings, self.config, {state.path: result.ignores})
        state.version, state.data, state.tree, state.result, state.findings = version, data, tree, result, findings
        return state

    def _edited_tree(self, state: DocumentState, data: bytes):
        """The previous tree with the single edit that turns the old text into the new one, for
        tree-sitter's incremental re-parse. Works whatever changes the client sent."""
        old = state.data
        if state.tree is None or not old:
            return None
        limit = min(len(old), len(data))
        low, high = 0, limit
        while low < high:  # longest common prefix, compared in C by slices
            middle = (low + high + 1) // 2
            if old[:middle] == data[:middle]:
                low = middle
            else:
                high = middle - 1
        prefix = low
        low, high = 0, limit - prefix
        while low < high:
            middle = (low + high + 1) // 2
            if old[len(old) - middle :] == data[len(data) - middle :]:
                low = middle
            else:
                high = middle - 1
        suffix = low
        old_end, new_end = len(old) - suffix, len(data) - suffix

        def point(buffer: bytes, offset: int) -> tuple[int, int]:
            row = buffer.count(b"\n", 0, offset)
            return row, offset - (buffer.rfind(b"\n", 0, offset) + 1)

        tree = state.tree
        tree.edit(
            start_byte=prefix,
            old_end_byte=old_end,
            new_end_byte=new_end,
            start_point=point(old, prefix),
            old_end_point=point(old, old_end),
            new_end_point=point(data, new_end),
        )
        return tree

    def diagnostics(self, state: DocumentState) -> list[lsp.Diagnostic]:
        document = self.workspace.get_text_document(state.uri)
        lines = document.lines
        codec = document.position_codec
        out = []
        for finding in [*state.findings, *state.project_findings]:
            if finding.suppressed:
                continue
            rule = self.rules.get(finding.code)
            loc = finding.location
            server_range = lsp.Range(
                start=lsp.Position(line=loc.start_line - 1, character=loc.start_column - 1),
                end=lsp.Position(line=loc.end_line - 1, character=loc.end_column - 1),
            )
            out.append(
                lsp.Diagnostic(
                    range=codec.range_to_client_units(lines, server_range),
                    message=finding.message,
                    severity=_SEVERITY[finding.level],
                    code=finding.code,
                    code_description=lsp.CodeDescription(href=rule.doc_url) if rule else None,
                    source="prodlint",
                    data={"fingerprint": finding.fingerprint},
                )
            )
        return out

    def publish(self, state: DocumentState) -> None:
        if self.pull:
            return
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=state.uri, version=state.version, diagnostics=self.diagnostics(state))
        )

    def check_and_publish(self, uri: str, version: int | None = None, project_facts: bool = True) -> None:
        try:
            document = self.workspace.get_text_document(uri)
            if version is not None and document.version != version:
                return  # a newer edit is queued; its own analysis will publish
            state = self.analyze(uri, project_facts)
            if state is None or state.kind == "config":
                return
            if document.version != state.version:
                return
            self.publish(state)
        except Exception as error:
            self.log(f"internal error while checking {uri}: {type(error).__name__}: {error}\n{traceback.format_exc()}", lsp.MessageType.Error)

    def schedule(self, uri: str) -> None:
        state = self.state_for(uri)
        if state is None:
            return
        if state.pending is not None:
            state.pending.cancel()
        version = self.workspace.get_text_document(uri).version
        loop = asyncio.get_event_loop()
        state.pending = loop.call_later(self.debounce, self.check_and_publish, uri, version, False)

    # -- cross-file rules --

    def has_project_rules(self) -> bool:
        return any(rule.target == "project" for rule in self.rules.values())

    def ensure_index(self) -> None:
        """Index the workspace's facts once, in the background; then check open documents."""
        if self.workspace_results is not None or self.indexing or not self.has_project_rules():
            return
        self.indexing = True
        loop = asyncio.get_event_loop()

        def build() -> None:
            started = time.perf_counter()
            try:
                from linter.cache import default_directory
                from linter.engine import analyze_cached, open_cache, select_targets

                found = discover([self.root], self.root, self.config)
                targets = select_targets(found.targets, self.config)
                facts_only = {target.rel for target in targets}  # open buffers bring their own findings
                cache = open_cache(default_directory(), self.config, self.rules, f"lsp:{self.root}")
                results = analyze_cached(targets, self.config, self.rules, 1, facts_only, cache)
                cache.restore_facts(results)  # the editor's project index needs every file's facts
                if cache.dirty:
                    cache.save(results, cache.project)
                with self.index_lock:
                    self.workspace_results = {result.path: result for result in results}
                    self.workspace_targets = targets
                    self.manifests = found.manifests
                loop.call_soon_threadsafe(self.refresh_project_findings)
                loop.call_soon_threadsafe(self.log, f"indexed {len(results)} files in {time.perf_counter() - started:.2f}s", lsp.MessageType.Info)
            except Exception as error:
                loop.call_soon_threadsafe(self.log, f"cannot index the workspace: {type(error).__name__}: {error}", lsp.MessageType.Error)
            finally:
                self.indexing = False

        threading.Thread(target=build, name="prodlint-index", daemon=True).start()

    def refresh_project_findings(self) -> None:
        if self.workspace_results is None:
            return
        try:
            with self.index_lock:
                results = dict(self.workspace_results)
            for state in self.documents.values():
                if state.result is not None:
                    results[state.path] = state.result
            found, notices = run_project_rules(list(results.values()), self.manifests, self.root, self.config, self.rules, self.workspace_targets)
            for notice in notices:
                self.log(notice.message, lsp.MessageType.Error)
            by_path: dict[str, list[Finding]] = {}
            for finding in found:
                by_path.setdefault(finding.location.path, []).append(finding)
            for state in self.documents.values():
                if state.kind == "config" or state.result is None:
                    continue
                mine = by_path.get(state.path, [])
                finalized, _ = finalize(mine, self.config, {state.path: state.result.ignores})
                if finalized != state.project_findings:
                    state.project_findings = finalized
                    self.publish(state)
        except Exception as error:
            self.log(f"internal error in cross-file rules: {type(error).__name__}: {error}\n{traceback.format_exc()}", lsp.MessageType.Error)

    def file_saved(self, state: DocumentState) -> None:
        if self.workspace_results is not None and state.result is not None:
            with self.index_lock:
                self.workspace_results[state.path] = state.result
        self.refresh_project_findings()

    def reload_configuration(self) -> None:
        self.load_configuration()
        self.workspace_results = None
        for state in list(self.documents.values()):
            state.tree = None
            if state.kind != "config":
                self.check_and_publish(state.uri)
        self.ensure_index()


server = ProdlintServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: ProdlintServer, params: lsp.InitializeParams) -> None:
    folders = params.workspace_folders or []
    root = uri_to_path(folders[0].uri) if folders else (uri_to_path(params.root_uri) if params.root_uri else None)
    ls.root = (root or Path.cwd()).resolve()
    ls.apply_settings(params.initialization_options or {})
    capabilities = params.capabilities.text_document
    ls.pull = bool(capabilities is not None and capabilities.diagnostic is not None)
    ls.load_configuration()


@server.feature(lsp.INITIALIZED)
def initialized(ls: ProdlintServer, params: lsp.InitializedParams) -> None:
    watched = ls.client_capabilities.workspace
    if watched is not None and watched.did_change_watched_files is not None and watched.did_change_watched_files.dynamic_registration:
        ls.client_register_capability(
            lsp.RegistrationParams(
                registrations=[
                    lsp.Registration(
                        id="prodlint-config",
                        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                            watchers=[lsp.FileSystemWatcher(glob_pattern=f"**/{name}") for name in _CONFIG_NAMES]
                        ),
                    )
                ]
            )
        )


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: ProdlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.check_and_publish(params.text_document.uri)
    ls.ensure_index()
    ls.refresh_project_findings()


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: ProdlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
def did_save(ls: ProdlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = uri_to_path(uri)
    if path is not None and path.name in _CONFIG_NAMES:
        ls.reload_configuration()
        return
    state = ls.state_for(uri)
    if state is None:
        return
    if state.pending is not None:
        state.pending.cancel()
    ls.check_and_publish(uri)
    ls.file_saved(state)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: ProdlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    state = ls.documents.pop(params.text_document.uri, None)
    if state is not None and state.pending is not None:
        state.pending.cancel()
    if not ls.pull:
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: ProdlintServer, params: lsp.DidChangeConfigurationParams) -> None:
    ls.apply_settings(params.settings)
    ls.reload_configuration()


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: ProdlintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if any((uri_to_path(change.uri) or Path()).name in _CONFIG_NAMES for change in params.changes):
        ls.reload_configuration()


@server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False))
def pull_diagnostics(ls: ProdlintServer, params: lsp.DocumentDiagnosticParams):
    state = ls.state_for(params.text_document.uri)
    if state is None or state.kind == "config":
        return lsp.FullDocumentDiagnosticReport(items=[])
    document = ls.workspace.get_text_document(params.text_document.uri)
    if state.version != document.version or state.result is None:
        ls.analyze(params.text_document.uri)
    return lsp.FullDocumentDiagnosticReport(items=ls.diagnostics(state))


def _finding_for(ls: ProdlintServer, state: DocumentState, diagnostic: lsp.Diagnostic) -> Finding | None:
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    candidates = [*state.findings, *state.project_findings]
    for finding in candidates:
        if data.get("fingerprint") and finding.fingerprint == data["fingerprint"]:
            return finding
    for finding in candidates:  # clients that drop `data`: same code on the same line
        if finding.code == diagnostic.code and finding.location.start_line - 1 == diagnostic.range.start.line:
            return finding
    return None


def _server_range(state: DocumentState, start_byte: int, end_byte: int) -> lsp.Range:
    source = SourceFile(state.path, state.data)
    start_line, start_column, _ = source.columns(start_byte)
    end_line, end_column, _ = source.columns(end_byte)
    return lsp.Range(lsp.Position(start_line - 1, start_column - 1), lsp.Position(end_line - 1, end_column - 1))


def _comment_for(state: DocumentState, line: int, body: str) -> str:
    """`# …` in YAML; `{/* … */}` where the line sits among JSX children; else `// …`."""
    if state.kind == "yaml":
        return f"# {body}"
    if state.tree is not None and state.path.endswith((".tsx", ".jsx", ".js")):
        source = SourceFile(state.path, state.data)
        if line < source.line_count:
            text = source.line_bytes(line + 1)
            offset = source.line_starts[line] + (len(text) - len(text.lstrip()))
            node = state.tree.root_node.descendant_for_byte_range(offset, offset)
            line_start = source.line_starts[line]
            while node is not None:
                if node.type in ("jsx_element", "jsx_fragment") and node.start_byte < line_start:
                    return f"{{/* {body} */}}"
                if node.type in ("jsx_expression", "jsx_opening_element", "jsx_self_closing_element") and node.start_byte < line_start:
                    break
                node = node.parent
    return f"// {body}"


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: ProdlintServer, params: lsp.CodeActionParams):
    uri = params.text_document.uri
    state = ls.documents.get(uri)
    if state is None:
        return []
    document = ls.workspace.get_text_document(uri)
    lines = document.lines
    codec = document.position_codec
    actions = []
    seen_file_ignores = set()
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != "prodlint":
            continue
        finding = _finding_for(ls, state, diagnostic)
        code = str(diagnostic.code)
        if finding is not None and finding.fix is not None and state.version == document.version:
            edits = [
                lsp.TextEdit(range=codec.range_to_client_units(lines, _server_range(state, edit.start_byte, edit.end_byte)), new_text=edit.replacement)
                for edit in finding.fix.edits
            ]
            actions.append(
                lsp.CodeAction(
                    title=f"{finding.fix.title} ({code})",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=finding.fix.applicability == "safe",
                    edit=lsp.WorkspaceEdit(changes={uri: edits}),
                )
            )
        line = (finding.location.start_line - 1) if finding is not None else diagnostic.range.start.line
        line_text = lines[line] if line < len(lines) else ""
        indent = line_text[: len(line_text) - len(line_text.lstrip())]
        comment = _comment_for(state, line, f"prodlint-ignore {code}")
        actions.append(
            lsp.CodeAction(
                title=f"Ignore {code} on this line",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)), new_text=f"{indent}{comment}\n")]}),
            )
        )
        if code not in seen_file_ignores:
            seen_file_ignores.add(code)
            marker = "#" if state.kind == "yaml" else "//"
            first = 1 if lines and lines[0].startswith("#!") else 0
            actions.append(
                lsp.CodeAction(
                    title=f"Ignore {code} in this file",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=lsp.Range(lsp.Position(first, 0), lsp.Position(first, 0)), new_text=f"{marker} prodlint-ignore-file {code}\n")]}),
                )
            )
    return actions


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: ProdlintServer, params: lsp.HoverParams):
    state = ls.documents.get(params.text_document.uri)
    if state is None:
        return None
    document = ls.workspace.get_text_document(params.text_document.uri)
    position = document.position_codec.position_from_client_units(document.lines, params.position)
    line, column = position.line + 1, position.character + 1
    for finding in [*state.findings, *state.project_findings]:
        loc = finding.location
        after_start = (line, column) >= (loc.start_line, loc.start_column)
        before_end = (line, column) <= (loc.end_line, loc.end_column)
        if after_start and before_end and not finding.suppressed:
            rule = ls.rules.get(finding.code)
            if rule is None:
                continue
            from linter.cli import explain_text

            return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=f"{finding.message}\n\n---\n\n{explain_text(rule)}"))
    return None


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    server.start_io()
    return 0
