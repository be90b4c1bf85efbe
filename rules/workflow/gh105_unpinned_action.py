"""## What it finds

Third-party actions and reusable workflows referenced by a tag or a branch instead of a full
40-character commit SHA: `uses: owner/repo@v3`, `uses: owner/repo/path@1.2.0`,
`uses: owner/repo/.github/workflows/deploy.yml@v1`, and Docker actions without a digest
(`docker://image:tag`). A branch (`@main`, `@master`) is an `error`: every run executes
whatever was pushed there last. Actions of the `actions` and `github` organisations are
allowed by default (option `allowed-owners`). Steps of composite actions are checked too.

## Why it matters in production

A tag is a movable pointer. If the action's repository is compromised (as `tj-actions/changed-files`
was in 2025) or its owner re-tags a release, your next run executes the new code with your
workflow's token and secrets, and nothing in your repository changed. A commit SHA cannot
be moved.

## Example

```yaml
- uses: pnpm/action-setup@v4
- uses: some-org/deploy-action@main
```

## Use instead

```yaml
- uses: pnpm/action-setup@a7487c7e89a18df4991f7f222e4898a00d66ddda # v4.1.0
```

## Not flagged

Local actions (`./.github/actions/setup`), `docker://…@sha256:…` images, actions pinned to
a full commit SHA, and owners listed in `allowed-owners` (default `actions`, `github`).

## How to suppress

`# prodlint-ignore GH105: internal action, tags are protected` on the line above `uses:`,
or add the owner to `[tool.prodlint.rules.GH105] allowed-owners`.

## References

- https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions
"""

import re

from linter.registry import Option, rule
from linter.workflows import Uses, workflow_of

_BRANCHES = {"main", "master", "develop", "dev", "trunk", "head"}


@rule(
    code="GH105",
    slug="unpinned-action",
    level="warning",
    cwe=829,
    summary="Third-party action not pinned to a commit SHA",
    target="workflow",
    security_severity=6.0,
    tags=("security", "supply-chain", "github-actions"),
    options={"allowed-owners": Option(list, ["actions", "github"], "owners whose actions may be referenced by tag")},
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None:
        return
    allowed = {str(owner).lower() for owner in ctx.options.get("allowed-owners", ["actions", "github"])}
    references: list[tuple[tuple, Uses]] = []
    for job in workflow.jobs:
        if job.uses is not None:
            references.append((job.route + ("uses",), job.uses))
        for step in job.steps:
            if step.uses is not None:
                references.append((step.route + ("uses",), step.uses))
    for route, uses in references:
        if uses.kind == "docker":
            if not uses.pinned:
                yield ctx.report(
                    route,
                    f"`{uses.raw}` pulls the image by a movable tag: pin it with `@sha256:<digest>` "
                    "so a re-pushed tag cannot change what runs",
                )
            continue
        if uses.kind not in ("action", "workflow") or uses.owner.lower() in allowed or uses.pinned:
            continue
        what = "reusable workflow" if uses.kind == "workflow" else "action"
        if not uses.ref:
            yield ctx.report(
                route,
                f"`{uses.raw}` names no ref at all: GitHub refuses it, and the fix people reach for is a "
                "branch or tag; pin it to a full 40-character commit SHA",
            )
            continue
        if uses.ref.lower() in _BRANCHES:
            yield ctx.report(
                route,
                f"`{uses.raw}` runs whatever was last pushed to the `{uses.ref}` branch of `{uses.action}` "
                f"with this workflow's token and secrets: pin the {what} to a full commit SHA",
                level="error",
            )
        else:
            kind = "a short SHA" if re.fullmatch(r"[0-9a-fA-F]{7,39}", uses.ref) else "a tag"
            yield ctx.report(
                route,
                f"`{uses.raw}` references the third-party {what} by {kind}, which its owner (or an attacker "
                "who takes over the repository) can move: pin it to a full 40-character commit SHA",
            )
