"""## What it finds

Jobs that download the same dependencies on every run:

- `npx playwright install` (also through `pnpm exec`, `yarn`, `bunx`) in a job with no
  `actions/cache` step for the browsers (a `path` holding `ms-playwright`, or a custom
  `PLAYWRIGHT_BROWSERS_PATH`);
- `actions/setup-node` without a `cache:` input in a job that installs packages
  (`npm ci`, `pnpm install`, `yarn`, …) while the repository has a lockfile, and no
  `actions/cache` step caches the package store instead.

The finding points at the step.

## Why it matters in production

Browsers are hundreds of megabytes and a cold `npm ci` minutes of network time. Every
pull request pays it, CI queues grow, and a registry or CDN hiccup fails builds that would
have been served from the cache.

## Example

```yaml
- uses: actions/setup-node@v4
  with:
    node-version: 22
- run: npm ci
- run: npx playwright install --with-deps
```

## Use instead

```yaml
- uses: actions/setup-node@v4
  with:
    node-version: 22
    cache: npm
- uses: actions/cache@v4
  with:
    path: ~/.cache/ms-playwright
    key: playwright-${{ runner.os }}-${{ hashFiles('package-lock.json') }}
```

## Not flagged

`setup-node` with `cache:` or an explicit `package-manager-cache:` choice (release
workflows turn caching off on purpose, against cache poisoning); repositories without a lockfile (the cache needs one); jobs
that install nothing; jobs with their own `actions/cache` (or `actions/cache/restore`) step
for the package store or browsers; jobs running in the Playwright container image, where
browsers are already installed.

## How to suppress

`# prodlint-ignore GH108: release build, always cold` on the line above the step.

## References

- https://github.com/actions/setup-node#caching-global-packages-data
- https://playwright.dev/docs/ci#caching-browsers
"""

import posixpath

from linter.registry import rule
from linter.workflows import commands, exists_beside, positional, program, repo_root_of, workflow_of

_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock")
_STORE_PATHS = ("node_modules", ".npm", "pnpm-store", ".pnpm-store", "yarn/cache", ".yarn", "yarn-cache", "bun/install")


def _cached_paths(job) -> str:
    paths = []
    for step in job.steps:
        uses = step.uses
        if uses is not None and (uses.is_action("actions/cache") or uses.name.startswith("actions/cache/")):
            paths.append(str(step.with_.get("path", "")))
    return "\n".join(paths)


def _caches_packages(cached: str) -> bool:
    """A hand-made cache of the package store: a known store path, or a path computed at run
    time (`${{ steps.pnpm-cache.outputs.STORE_PATH }}`, `${{ env.STORE_PATH }}`)."""
    return any(marker in cached for marker in _STORE_PATHS) or "${{" in cached


def _installs(job) -> bool:
    """Whether the job installs the project's dependencies (global tool installs do not count)."""
    for step in job.steps:
        for command in commands(step.run or ""):
            words = command.words
            if not words or words[0] not in ("npm", "pnpm", "yarn", "bun"):
                continue
            args = words[1:]
            if set(args) & {"-g", "--global"} or args[:1] == ("global",):
                continue
            sub = positional(args, 1)
            if words[0] == "yarn" and not sub:
                return True
            if sub[:1] in (["ci"], ["install"], ["i"]):
                return True
    return False


def _playwright_install(step):
    """The `playwright install` command of a step's script, or None."""
    for command in commands(step.run or ""):
        name, args = program(command.words)
        if name == "playwright" and positional(args, 1) == ["install"]:
            return command
    return None


@rule(
    code="GH108",
    slug="missing-dependency-cache",
    level="note",
    cwe=1050,
    summary="Dependencies downloaded afresh on every run",
    target="workflow",
    security_severity=1.0,
    tags=("performance", "github-actions"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None or workflow.kind != "workflow":
        return
    root = repo_root_of(ctx.path)
    for job in workflow.jobs:
        cached = _cached_paths(job)
        playwright_image = "playwright" in job.container_image
        for step in job.steps:
            install = _playwright_install(step)
            if install is not None and "playwright" not in cached.lower() and not playwright_image:
                yield ctx.report(
                    step.route + ("run",),
                    f"`{install.text}` downloads Playwright browsers on every run: cache "
                    "`~/.cache/ms-playwright` with `actions/cache` keyed on the Playwright version",
                    span=(install.start, install.end),
                )
            uses = step.uses
            if uses is None or not uses.is_action("actions/setup-node") or step.with_.get("cache") or "package-manager-cache" in step.with_:
                continue
            if _caches_packages(cached) or not _installs(job):
                continue
            folders = {root}
            dependency_path = step.with_.get("cache-dependency-path")
            if isinstance(dependency_path, str) and "${{" not in dependency_path:
                folders.add(posixpath.normpath(posixpath.join(root, posixpath.dirname(dependency_path))))
            lockfile = next(
                (posixpath.join(folder, name).lstrip("/") for folder in folders for name in _LOCKFILES if exists_beside(ctx, posixpath.join(folder, name).lstrip("/"))),
                None,
            )
            if lockfile:
                manager = {"pnpm-lock.yaml": "pnpm", "yarn.lock": "yarn"}.get(posixpath.basename(lockfile), "npm")
                yield ctx.report(
                    step.route,
                    f"`actions/setup-node` without `cache:` while `{posixpath.basename(lockfile)}` exists: every run "
                    f"downloads all packages again; add `cache: {manager}`",
                )
