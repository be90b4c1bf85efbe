"""## What it finds
A Next.js App Router app — an `app/` (or `src/app/`) folder with a root `layout.*`, inside a
package whose `package.json` depends on `next` — that lacks one of the files Next.js uses to
contain failures: `app/error.*` (a route segment throws), `app/not-found.*` (`notFound()` or
an unknown URL) or `app/global-error.*` (the root layout itself throws). One finding per
missing file, on line 1 of the root layout. In a monorepo each Next.js app is judged on its own.

## Why it matters in production
Without `error.*` an exception in any server component replaces the page with Next.js's bare
"Application error" screen: no navigation, no retry, no reporting hook. Without
`global-error.*` a failure in the root layout (a provider, a session lookup) blanks the
whole site. Without `not-found.*` unknown URLs and `notFound()` show the framework's default
404 outside your layout. Users leave; support tickets arrive without a trace to follow.

## Example
```
app/
  layout.tsx
  page.tsx        # no error.tsx, not-found.tsx or global-error.tsx
```

## Use instead
```tsx
// app/error.tsx
'use client';
export default function Error({ error, reset }: { error: Error; reset: () => void }) {
  return <button onClick={() => reset()}>Try again</button>;
}
// app/global-error.tsx: the same, wrapped in <html><body>…</body></html>
// app/not-found.tsx: export default function NotFound() { return <p>Page not found</p>; }
```

## Not flagged
Pages Router apps (`pages/` only: `_error` and `404` pages are a different mechanism); apps
that have the files (`.tsx`, `.ts`, `.jsx`, `.js`); an `app/` folder in a package that does not
depend on `next` (Remix, Expo Router); folders without a root `layout.*`.

## How to suppress
`// prodlint-ignore TS301` on line 1 of the layout (or `prodlint-ignore-file TS301`), or
`per-file-ignores = { "apps/docs/app/layout.tsx" = ["TS301"] }`.

## References
- https://nextjs.org/docs/app/building-your-application/routing/error-handling
- https://nextjs.org/docs/app/api-reference/file-conventions/not-found
"""

from __future__ import annotations

import posixpath
import re

from linter.registry import rule

_LAYOUT = re.compile(r"(^|/)app/layout\.[cm]?[jt]sx?$")
_EXTENSIONS = (".tsx", ".ts", ".jsx", ".js", ".mjs", ".mts")
_MISSING = {
    "error": "an exception in a page or server component shows Next.js's bare error screen, "
    "with no navigation, no retry and no reporting hook",
    "global-error": "a failure in the root layout itself (a provider, a session lookup) blanks the whole site",
    "not-found": "unknown URLs and `notFound()` fall back to the framework's default 404 outside your layout",
}


def collect(ctx):
    """For a root layout: the region to report (line 1 through the first line of code)."""
    if not _LAYOUT.search(ctx.source.scope):
        return None
    end = 0
    for child in ctx.root.named_children:
        if child.type not in ("comment", "hash_bang_line"):
            end = child.start_byte
            break
    line = ctx.source.line_of_byte(end) if end else 1
    line_end = ctx.source.line_starts[line - 1] + len(ctx.source.line_bytes(line))
    return {"location": ctx.location((0, line_end))}


def _depends_on_next(data: dict) -> bool:
    return any(isinstance(data.get(key), dict) and "next" in data[key] for key in ("dependencies", "devDependencies", "peerDependencies"))


def _package_of(index, path: str) -> str | None:
    folder = posixpath.dirname(path)
    while True:
        if folder in index.packages:
            return folder
        if not folder:
            return None
        folder = posixpath.dirname(folder)


@rule(
    code="TS301",
    slug="nextjs-missing-error-boundary",
    level="note",
    cwe=755,
    summary="Next.js app without error, not-found or global-error pages",
    target="project",
    collect=collect,
    security_severity=2.0,
    tags=("reliability", "nextjs"),
)
def check(ctx):
    index = ctx.index
    files = set(index.files)
    for path, facts in sorted(index.facts("TS301").items()):
        package = _package_of(index, path)
        if package is None or not _depends_on_next(index.packages.get(package, {})):
            continue
        app = posixpath.dirname(path)
        for name, consequence in _MISSING.items():
            if any(posixpath.join(app, name + ext) in files for ext in _EXTENSIONS):
                continue
            shown = posixpath.join(posixpath.relpath(app, package) if package else app, name + ".tsx")
            ctx.report(
                facts["location"],
                f"Next.js app without `{shown}`: {consequence}",
            )
    return ()
