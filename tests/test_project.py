"""The project index's module graph: each test builds a small repository in a temporary
folder, scans it with the real engine and reads the index the scan built."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from linter.config import load_config
from linter.engine import scan
from linter.project import ProjectIndex, _export_targets, read_jsonc


def write(root: Path, files: dict[str, str | dict]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(content) if isinstance(content, dict) else textwrap.dedent(content)
        path.write_text(text, encoding="utf-8")


def build_index(root: Path, monkeypatch) -> ProjectIndex:
    """Scan `root` as the CLI would and return the index phase 2 built."""
    built: list[ProjectIndex] = []
    original = ProjectIndex.build.__func__

    def spy(cls, *args, **kwargs):
        index = original(cls, *args, **kwargs)
        built.append(index)
        return index

    monkeypatch.setattr(ProjectIndex, "build", classmethod(spy))
    config = load_config(root)
    scan([root], config, root=root, jobs=1)
    assert built, "the scan built no project index (no project rule selected?)"
    return built[-1]


def edges(index: ProjectIndex) -> set[tuple[str, str]]:
    return set(index.modules.edges)


def deferred_reads(monkeypatch) -> list[str]:
    """The files the project phase collects on demand (`Rule.eager`), in order, as they happen."""
    import linter.engine as engine

    collected: list[str] = []
    original = engine.collect_deferred

    def spy(target, config, rule):
        collected.append(target.rel)
        return original(target, config, rule)

    monkeypatch.setattr(engine, "collect_deferred", spy)
    return collected


def test_relative_imports_with_and_without_extensions(tmp_path, monkeypatch):
    write(tmp_path, {
        "src/server.ts": """
            import { io } from './io';
            import config from './config.js';
            import { db } from './db/index.js';
            import helpers from './helpers';
            export * from './types';
        """,
        "src/io.ts": "export const io = 1;\n",
        "src/config.ts": "export default {};\n",
        "src/db/index.ts": "export const db = 1;\n",
        "src/helpers/index.tsx": "export default 1;\n",
        "src/types.mts": "export type A = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.import_closure("src/server.ts") == {
        "src/server.ts", "src/io.ts", "src/config.ts", "src/db/index.ts", "src/helpers/index.tsx", "src/types.mts",
    }
    assert index.import_names("src/server.ts", "src/io.ts") == [["io", "io"]]
    assert index.import_names("src/server.ts", "src/config.ts") == [["default", "config"]]
    edge = index.modules.edges["src/server.ts", "src/types.mts"]
    assert edge["reexport"] and edge["names"] == [["*", "*"]]


def test_js_specifiers_name_ts_sources_and_mjs_names_mts(tmp_path, monkeypatch):
    write(tmp_path, {
        "lib/a.ts": "import { b } from './b.js';\nimport c from './c.mjs';\nimport d from './d.jsx';\nimport type { T } from './types/index.js';\n",
        "lib/types/index.d.ts": "export type T = 1;\n",
        "lib/b.ts": "export const b = 1;\n",
        "lib/c.mts": "export default 1;\n",
        "lib/d.tsx": "export default 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.importers_of("lib/b.ts") == {"lib/a.ts"}
    assert index.importers_of("lib/c.mts") == {"lib/a.ts"}
    assert index.importers_of("lib/d.tsx") == {"lib/a.ts"}
    assert index.importers_of("lib/types/index.d.ts") == {"lib/a.ts"}


def test_require_dynamic_import_and_import_equals(tmp_path, monkeypatch):
    write(tmp_path, {
        "src/main.js": """
            const io = require('./io');
            const { server } = require('./server');
            const picked = require('./picked').thing;
            async function later() { const { worker } = await import('./worker.js'); }
        """,
        "src/legacy.ts": "import io = require('./io');\n",
        "src/io.js": "module.exports = { io: 1 };\n",
        "src/server.js": "exports.server = 1;\n",
        "src/picked.js": "module.exports.thing = 1;\n",
        "src/worker.ts": "export const worker = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.import_names("src/main.js", "src/io.js") == [["*", "io"]]
    assert index.modules.edges["src/main.js", "src/io.js"]["kind"] == "require"
    assert index.import_names("src/main.js", "src/server.js") == [["server", "server"]]
    assert index.import_names("src/main.js", "src/picked.js") == [["thing", "picked"]]
    assert index.import_names("src/main.js", "src/worker.ts") == [["worker", "worker"]]
    assert index.modules.edges["src/main.js", "src/worker.ts"]["kind"] == "dynamic"
    assert index.modules.edges["src/legacy.ts", "src/io.js"]["kind"] == "require"
    assert index.files["src/io.js"]["module"]["exports"] == ["default", "io"]
    assert index.files["src/server.js"]["module"]["exports"] == ["server"]


def test_loader_words_in_comments_strings_and_members_are_not_imports(tmp_path, monkeypatch):
    """require()/import()/exports are found from where their words occur in the bytes; only
    real calls and assignments count, wherever they are nested."""
    write(tmp_path, {
        "src/main.js": """
            // const old = require('./io');
            const text = "import('./worker.js') and require('./io')";
            const loader = { require: (x) => x };
            loader.require('./io');
            if (process.env.LAZY) {
              module.exports.later = () => require ('./server');
            }
            const notExports = { exports: 1 };
            notExports.exports = 2;
        """,
        "src/io.js": "module.exports = { io: 1 };\n",
        "src/server.js": "exports.server = 1;\n",
        "src/worker.ts": "export const worker = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert edges(index) == {("src/main.js", "src/server.js")}
    assert index.files["src/main.js"]["module"]["exports"] == ["later"]


def test_imports_inside_declare_module_blocks_belong_to_the_ambient_module(tmp_path, monkeypatch):
    write(tmp_path, {
        "src/virtual.d.ts": """
            declare module "virtual:routes" {
              import type { Route } from "./route";
              export const routes: Route[];
            }
        """,
        "src/route.ts": "export type Route = { path: string };\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert edges(index) == set()
    assert index.files["src/virtual.d.ts"]["module"]["exports"] == []


def test_reexports_and_barrels_reach_the_defining_module(tmp_path, monkeypatch):
    write(tmp_path, {
        "src/realtime/io.ts": "export const io = 1;\n",
        "src/realtime/index.ts": "export { io as socket } from './io';\nexport * as all from './io';\n",
        "src/auth.ts": "import { socket } from './realtime';\nimport type { X } from './realtime/io';\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.import_names("src/realtime/index.ts", "src/realtime/io.ts") == [["io", "socket"], ["*", "all"]]
    assert index.reverse_closure("src/realtime/io.ts") == {"src/realtime/io.ts", "src/realtime/index.ts", "src/auth.ts"}
    assert index.modules.edges["src/auth.ts", "src/realtime/io.ts"]["type_only"]
    assert not index.modules.edges["src/auth.ts", "src/realtime/index.ts"]["type_only"]
    assert "socket" in index.files["src/realtime/index.ts"]["module"]["exports"]


def test_tsconfig_paths_and_base_url(tmp_path, monkeypatch):
    write(tmp_path, {
        "tsconfig.json": """{
            // comments and trailing commas are fine
            "compilerOptions": {
                "baseUrl": ".",
                "paths": { "@/*": ["./src/*"], "@/lib/special": ["./special/index.ts"], "~server": ["src/server.ts"], },
            },
        }""",
        "src/app.ts": "import { io } from '@/lib/io';\nimport s from '@/lib/special';\nimport x from '~server';\nimport u from 'src/util';\n",
        "src/lib/io.ts": "export const io = 1;\n",
        "special/index.ts": "export default 1;\n",
        "src/server.ts": "export default 1;\n",
        "src/util.ts": "export default 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert set(index.modules.successors("src/app.ts")) == {"src/lib/io.ts", "special/index.ts", "src/server.ts", "src/util.ts"}


def test_paths_without_base_url_resolve_against_the_declaring_config(tmp_path, monkeypatch):
    write(tmp_path, {
        "tsconfig.base.json": {"compilerOptions": {"paths": {"@shared/*": ["./packages/shared/src/*"]}}},
        "apps/api/tsconfig.json": {"extends": "../../tsconfig.base", "compilerOptions": {"strict": True}},
        "apps/api/src/main.ts": "import { io } from '@shared/io';\n",
        "packages/shared/src/io.ts": "export const io = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.importers_of("packages/shared/src/io.ts") == {"apps/api/src/main.ts"}


def test_extends_merges_compiler_options_and_child_base_url_rebases_inherited_paths(tmp_path, monkeypatch):
    write(tmp_path, {
        "config/tsconfig.common.json": {"compilerOptions": {"paths": {"@/*": ["src/*"]}, "strict": True}},
        "web/tsconfig.json": {"extends": ["./../config/tsconfig.common.json"], "compilerOptions": {"baseUrl": "."}},
        "web/src/page.ts": "import { io } from '@/io';\n",
        "web/src/io.ts": "export const io = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.importers_of("web/src/io.ts") == {"web/src/page.ts"}
    config = index.tsconfig_for("web/src/page.ts")
    assert config.base_url == "web" and config.paths == {"@/*": ["web/src/*"]}


def test_solution_style_tsconfig_lends_paths_of_its_references(tmp_path, monkeypatch):
    write(tmp_path, {
        "tsconfig.json": {"files": [], "references": [{"path": "./tsconfig.app.json"}, {"path": "./tsconfig.node.json"}]},
        "tsconfig.app.json": {"compilerOptions": {"paths": {"@/*": ["./src/*"]}}},
        "tsconfig.node.json": {"compilerOptions": {"strict": True}},
        "src/main.ts": "import { io } from '@/io';\n",
        "src/io.ts": "export const io = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.importers_of("src/io.ts") == {"src/main.ts"}


def test_nearest_tsconfig_governs_its_folder(tmp_path, monkeypatch):
    write(tmp_path, {
        "tsconfig.json": {"compilerOptions": {"paths": {"@/*": ["./root/*"]}}},
        "apps/web/tsconfig.json": {"compilerOptions": {"paths": {"@/*": ["./lib/*"]}}},
        "apps/web/page.ts": "import { io } from '@/io';\n",
        "apps/web/lib/io.ts": "export const io = 1;\n",
        "root/io.ts": "export const io = 2;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert set(index.modules.successors("apps/web/page.ts")) == {"apps/web/lib/io.ts"}


def test_workspace_packages_by_name_exports_main_and_src_index(tmp_path, monkeypatch):
    write(tmp_path, {
        "package.json": {"name": "monorepo", "private": True, "workspaces": ["packages/*", "apps/*"]},
        "packages/realtime/package.json": {
            "name": "@acme/realtime",
            "exports": {".": {"types": "./dist/index.d.ts", "import": "./dist/index.js"}, "./server": "./src/server.ts", "./utils/*": "./src/utils/*.ts"},
        },
        "packages/realtime/src/index.ts": "export * from './server';\n",
        "packages/realtime/src/server.ts": "export const io = 1;\n",
        "packages/realtime/src/utils/auth.ts": "export const auth = 1;\n",
        "packages/db/package.json": {"name": "@acme/db", "main": "./dist/index.js"},
        "packages/db/src/index.ts": "export const db = 1;\n",
        "packages/plain/package.json": {"name": "plain"},
        "packages/plain/src/index.ts": "export const plain = 1;\n",
        "apps/api/src/main.ts": """
            import { io } from '@acme/realtime';
            import { io as direct } from '@acme/realtime/server';
            import { auth } from '@acme/realtime/utils/auth';
            import { db } from '@acme/db';
            import { plain } from 'plain';
            import express from 'express';
        """,
    })
    index = build_index(tmp_path, monkeypatch)
    assert set(index.modules.successors("apps/api/src/main.ts")) == {
        "packages/realtime/src/index.ts", "packages/realtime/src/server.ts", "packages/realtime/src/utils/auth.ts",
        "packages/db/src/index.ts", "packages/plain/src/index.ts",
    }
    assert index.workspace_names["@acme/realtime"] == "packages/realtime"


def test_package_imports_map_resolves_hash_specifiers(tmp_path, monkeypatch):
    write(tmp_path, {
        "services/api/package.json": {"name": "api", "imports": {"#io": "./src/realtime/io.ts", "#lib/*": {"types": "./src/lib/*.ts", "default": "./dist/lib/*.js"}}},
        "services/api/src/main.ts": "import { io } from '#io';\nimport { auth } from '#lib/auth';\n",
        "services/api/src/realtime/io.ts": "export const io = 1;\n",
        "services/api/src/lib/auth.ts": "export const auth = 1;\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert set(index.modules.successors("services/api/src/main.ts")) == {"services/api/src/realtime/io.ts", "services/api/src/lib/auth.ts"}


def test_unresolvable_specifiers_add_no_edges(tmp_path, monkeypatch):
    write(tmp_path, {
        "src/a.ts": "import x from 'react';\nimport y from '../../outside';\nimport z from './missing';\nimport fs from 'node:fs';\n",
    })
    index = build_index(tmp_path, monkeypatch)
    assert index.import_closure("src/a.ts") == {"src/a.ts"}
    assert index.reverse_closure("src/a.ts") == {"src/a.ts"}


def test_read_jsonc_keeps_comment_markers_inside_strings(tmp_path):
    path = tmp_path / "tsconfig.json"
    path.write_text('\ufeff{"compilerOptions": {"paths": {"@/*": ["./src/*"]}, "x": "a // b, }"}, /* c */}\n', encoding="utf-8")
    assert read_jsonc(path) == {"compilerOptions": {"paths": {"@/*": ["./src/*"]}, "x": "a // b, }"}}
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    assert read_jsonc(tmp_path / "bad.json") == {}
    assert read_jsonc(tmp_path / "absent.json") == {}


@pytest.mark.parametrize(
    ("exports", "subpath", "expected"),
    [
        ("./index.js", ".", ["./index.js"]),
        ({"import": "./esm.js", "require": "./cjs.js"}, ".", ["./esm.js", "./cjs.js"]),
        ({".": {"node": {"import": "./n.mjs"}, "default": "./d.js"}}, ".", ["./n.mjs", "./d.js"]),
        ({"./*": "./src/*.ts"}, "./a/b", ["./src/a/b.ts"]),
        ({"./server": "./s.js"}, "./client", []),
    ],
)
def test_export_targets(exports, subpath, expected):
    assert _export_targets(exports, subpath) == expected


def test_socket_server_auth_found_through_a_paths_alias_and_a_barrel(tmp_path):
    """TS106 end to end: the module graph is what connects the instance to its middleware."""
    write(tmp_path, {
        "tsconfig.json": {"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}},
        "src/lib/io.ts": "import { Server } from 'socket.io';\nexport const io = new Server({ path: '/rt' });\n",
        "src/lib/index.ts": "export { io } from './io';\n",
        "src/auth.ts": "import { io } from '@/lib';\nio.use((socket, next) => next());\n",
        "src/handlers.ts": "import { io } from '@/lib/io';\nio.on('connection', (socket) => socket.join('all'));\n",
    })

    def ts106(root: Path) -> list:
        result = scan([root], load_config(root), root=root, jobs=1)
        return [(f.location.path, f.location.start_line) for f in result.findings if f.code == "TS106"]

    assert ts106(tmp_path) == []
    (tmp_path / "src/auth.ts").write_text("import { io } from '@/lib';\nio.on('connection', () => {});\n", encoding="utf-8")
    assert ts106(tmp_path) == [("src/lib/io.ts", 2)]


def test_socket_facts_of_modules_that_name_no_socket_are_collected_when_a_server_reaches_them(tmp_path, monkeypatch):
    """TS106 collects during the scan only files that may create a server (`Rule.eager`); the
    modules a server reaches are read on demand, the rest never. Same verdict with workers
    and from the result cache."""
    write(tmp_path, {
        "src/realtime.ts": (
            "import { Server } from 'socket.io';\nimport { protect } from './guards/protect';\n"
            "export const hub = new Server({ path: '/live' });\nprotect(hub);\n"
        ),
        "src/guards/protect.ts": "export function protect(server) {\n  server.use(async (client, next) => next(await verify(client)));\n}\n",
        "src/feed.ts": "import { hub } from './realtime';\nhub.on('connection', (client) => client.join('feed'));\n",
        "src/prices.ts": "export function price(cents: number) {\n  return (cents / 100).toFixed(2);\n}\n",
    })
    collected = deferred_reads(monkeypatch)

    def ts106(jobs: int, cache: Path | None = None) -> list:
        result = scan([tmp_path], load_config(tmp_path), root=tmp_path, jobs=jobs, cache_dir=cache)
        return [(f.location.path, f.location.start_line) for f in result.findings if f.code == "TS106"]

    assert ts106(1) == [] and ts106(2) == []
    assert set(collected) == {"src/guards/protect.ts", "src/feed.ts"}  # the guard it is handed to, its importer; not prices.ts
    cache = tmp_path.parent / "cache"
    assert ts106(1, cache) == [] and ts106(1, cache) == []
    (tmp_path / "src/prices.ts").write_text("export const price = (cents: number) => cents / 100;\n", encoding="utf-8")
    assert ts106(1, cache) == []  # project phase again, on facts restored from the cache

    (tmp_path / "src/guards/protect.ts").write_text("export function protect(server) {\n  return server;\n}\n", encoding="utf-8")
    assert ts106(1) == ts106(2) == ts106(1, cache) == [("src/realtime.ts", 3)]


def test_the_project_phase_leaves_no_reference_cycle_behind(tmp_path):
    """The index, its module graph and the rules' fact mappings hold every file's facts: once
    the scan is over, refcounting alone must free them. Left to the cycle collector, they cost
    a full collection as soon as the CLI turns it back on (0.13 s after a scan of medusa)."""
    import gc

    write(tmp_path, {
        "src/server.ts": (
            "import { Server } from 'socket.io';\nimport { guard } from './guard';\nimport type { Opts } from './guard';\n"
            "const io = new Server({ path: '/rt' });\nguard(io);\napp.listen(3000);\n"
            "process.on('SIGTERM', () => io.close());\n"
        ),
        "src/guard.ts": "export type Opts = {};\nexport function guard(server) {\n  server.use((client, next) => next());\n}\n",
    })
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = scan([tmp_path], load_config(tmp_path), root=tmp_path, jobs=1)
        gc.collect()
        leaked = sorted({type(item).__name__ for item in gc.garbage} & {"ProjectIndex", "RuleFacts", "DiGraph", "FileResult", "Target"})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert result.files == 2
    assert leaked == []


def test_exported_consts_are_read_on_demand_where_a_fallback_names_them(tmp_path, monkeypatch):
    """TS101 collects during the scan only files that can hold a fallback (`Rule.eager`); a
    module whose exported literal a fallback names is read when the project phase follows
    the import, and modules nobody falls back to are never read again. Same verdict with
    workers and from the result cache."""
    write(tmp_path, {
        "src/auth/tokens.ts": (
            "import { SIGNING_FALLBACK } from '../shared/constants';\nimport { HOME } from '../shared/routes';\n"
            "export const signingKey = process.env.TOKEN_SIGNING_KEY ?? SIGNING_FALLBACK;\nexport const home = HOME;\n"
        ),
        "src/shared/constants.ts": "export const SIGNING_FALLBACK = 'local-signing-key';\nexport const PAGE_SIZE = 20;\n",
        "src/shared/routes.ts": "export const HOME = '/dashboard';\n",
    })
    collected = deferred_reads(monkeypatch)

    def ts101(jobs: int, cache: Path | None = None) -> list:
        result = scan([tmp_path], load_config(tmp_path), root=tmp_path, jobs=jobs, cache_dir=cache)
        return [(f.location.path, f.location.start_line, f.related[0].path if f.related else None) for f in result.findings if f.code == "TS101"]

    expected = [("src/auth/tokens.ts", 3, "src/shared/constants.ts")]
    assert ts101(1) == expected and ts101(2) == expected
    assert set(collected) == {"src/shared/constants.ts"}  # not routes.ts: no fallback names it
    cache = tmp_path.parent / "cache"
    assert ts101(1, cache) == expected and ts101(1, cache) == expected
    tokens = tmp_path / "src/auth/tokens.ts"
    tokens.write_text(tokens.read_text(encoding="utf-8").replace("TOKEN_SIGNING_KEY", "JWT_SIGNING_KEY"), encoding="utf-8")
    collected.clear()
    assert ts101(1, cache) == expected  # the consts module is unchanged: cached as deferred, read on demand
    assert collected == ["src/shared/constants.ts"]
    (tmp_path / "src/shared/constants.ts").write_text("export const SIGNING_FALLBACK = process.env.CI ? 'ci' : undefined;\n", encoding="utf-8")
    assert ts101(1) == ts101(1, cache) == []
