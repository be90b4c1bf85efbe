"""`prodlint init`: a commented configuration for the detected stack, and a baseline when the
repository already has findings, so adopting prodlint starts green and stays strict for new code."""

from __future__ import annotations

import json
from pathlib import Path

from linter.discover import DEFAULT_EXCLUDES

_FRAMEWORKS = {
    "next": "Next.js",
    "fastify": "Fastify",
    "express": "Express",
    "hono": "Hono",
    "koa": "Koa",
    "@nestjs/core": "NestJS",
    "socket.io": "socket.io",
    "ws": "ws",
    "drizzle-orm": "Drizzle",
    "@prisma/client": "Prisma",
    "prisma": "Prisma",
    "@supabase/supabase-js": "Supabase",
    "axios": "axios",
    "bullmq": "BullMQ",
}


def detect(root: Path) -> dict[str, list[str]]:
    stack: set[str] = set()
    packages: list[str] = []
    compose: list[str] = []
    workflows: list[str] = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
            continue
        name = path.name
        if name == "package.json" and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            deps = {**data.get("dependencies", {}), **data.get("devDependencies", {})} if isinstance(data, dict) else {}
            found = sorted({label for dep, label in _FRAMEWORKS.items() if dep in deps})
            stack.update(found)
            packages.append(path.parent.relative_to(root).as_posix() or ".")
        elif (name.startswith(("docker-compose", "compose")) or ".compose." in name) and name.endswith((".yml", ".yaml")):
            compose.append(path.relative_to(root).as_posix())
        elif len(parts) >= 3 and parts[-3:-1] == (".github", "workflows") and name.endswith((".yml", ".yaml")):
            workflows.append(path.relative_to(root).as_posix())
    return {"stack": sorted(stack), "packages": packages, "compose": compose, "workflows": workflows}


def render(detected: dict[str, list[str]], baseline: str | None, table_header: bool) -> str:
    stack = ", ".join(detected["stack"]) or "no known framework"
    lines = [
        "[tool.prodlint]" if table_header else "# prodlint configuration (https://github.com/prodlint/prodlint)",
        f"# Detected: {stack}; {len(detected['packages'])} package.json, "
        f"{len(detected['compose'])} compose file(s), {len(detected['workflows'])} workflow(s).",
        "# Every key is optional; `prodlint explain CODE` documents each rule.",
        "",
        '# select = ["ALL"]                 # codes or prefixes: "TS", "DC1", "GH104"',
        "# ignore = []",
        '# exclude = ["legacy/**"]          # on top of .gitignore and node_modules, dist, build, .next, …',
        '# per-file-ignores = { "scripts/**" = ["TS201", "TS203"] }',
        '# levels = { TS203 = "warning" }',
        '# fail-on = "warning"',
    ]
    if "Drizzle" in detected["stack"] or "Prisma" in detected["stack"] or "Supabase" in detected["stack"]:
        lines.append('# owner-columns = ["merchantId"]   # your tenant/owner columns, for TS107')
    lines.append('# secret-names = []                # names of secrets that do not look like one')
    if detected["compose"]:
        lines.append('# compose-overrides = { "docker-compose.prod.yml" = ["docker-compose.yml"] }')
    if baseline:
        lines += ["", "# Findings that existed when prodlint was adopted; only new ones fail the build.",
                  "# Refresh with `prodlint scan --baseline " + baseline + " --prune-baseline`.", f'baseline = "{baseline}"']
    return "\n".join(lines) + "\n"
