"""## What it finds

Workflows whose `GITHUB_TOKEN` gets more than it needs:

- no `permissions:` block at the workflow level while at least one job has none either: the
  token gets the repository's default, which is read-write for everything in repositories
  created before February 2023 and in many organisations (reported at the `on:` key);
- `permissions: write-all` at workflow or job level (reported at that `permissions` key);
- any `write` scope in a workflow triggered by `pull_request_target` or `issue_comment`,
  events that outsiders trigger and that run with the base repository's token (reported at
  that `permissions` key).

## Why it matters in production

Every step, and every third-party action it calls, can use the token. With write scopes a
compromised dependency or an injected script can push commits, rewrite releases or approve
its own pull requests. A least-privilege block limits what a single mistake can do.

## Example

```yaml
on: pull_request_target
permissions: write-all
```

## Use instead

```yaml
on: pull_request_target
permissions:
  contents: read
  pull-requests: read
```

## Not flagged

An explicit least-privilege block at the workflow level, or on every job; `read-all` and
`{}`; write scopes in workflows triggered by `push`, `pull_request`, `release` or a
schedule (their token is not handed to outsiders); reusable workflows (`on: workflow_call`
only), which run with the permissions their caller grants.

## How to suppress

`# prodlint-ignore GH106: release job needs contents: write` on the line above the key.

## References

- https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token
"""

from linter.registry import rule
from linter.workflows import workflow_of

_OUTSIDER_EVENTS = ("pull_request_target", "issue_comment")


@rule(
    code="GH106",
    slug="excessive-permissions",
    level="warning",
    cwe=250,
    summary="Workflow token with default or write-all permissions",
    target="workflow",
    security_severity=5.5,
    tags=("security", "github-actions"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None or workflow.kind != "workflow" or workflow.on_key is None or not workflow.jobs:
        return
    triggers = workflow.triggers
    outsider = [event for event in _OUTSIDER_EVENTS if event in triggers]
    blocks = [("the workflow", workflow.permissions)] + [(f"job `{job.id}`", job.permissions) for job in workflow.jobs]
    reported = set()
    for owner, permissions in blocks:
        if permissions is None:
            continue
        if permissions.write_all:
            reported.add(permissions.route)
            yield ctx.report(
                permissions.route,
                f"`permissions: write-all` gives {owner}'s token write access to every scope: any step or "
                "action it runs can push code, edit releases and settings; grant only the scopes it uses",
                key=True,
            )
        elif outsider and permissions.writes():
            scopes = ", ".join(f"`{scope}: write`" for scope in permissions.writes())
            reported.add(permissions.route)
            yield ctx.report(
                permissions.route,
                f"{scopes} for {owner} in a workflow triggered by `{outsider[0]}`, which outsiders can start: "
                "the token reaches code and text they control; keep write scopes out of this workflow",
                key=True,
            )
    if set(triggers) == {"workflow_call"}:
        return
    if workflow.permissions is None:
        bare = [job.id for job in workflow.jobs if job.permissions is None]
        if bare:
            names = ", ".join(f"`{name}`" for name in bare[:3]) + (" …" if len(bare) > 3 else "")
            yield ctx.report(
                (workflow.on_key,),
                f"no `permissions:` block for the workflow or for job {names}: the token gets the repository "
                "default, often read-write on everything; add `permissions: contents: read` and widen per job",
                key=True,
            )
