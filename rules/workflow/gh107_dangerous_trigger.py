"""## What it finds

Workflows triggered by `pull_request_target` or `workflow_run` that check out the pull
request's code: `actions/checkout` with a `ref:` (or `repository:`) taken from the pull
request head (`github.event.pull_request.head.sha`/`head.ref`/`head.repo.full_name`,
`github.head_ref`, `github.event.pull_request.merge_commit_sha`,
`github.event.workflow_run.head_sha`/`head_branch`), or a
`refs/pull/<n>/merge|head` ref; and scripts that do the same (`gh pr checkout`,
`git fetch origin pull/<n>/head`, `git checkout ${{ github.event.pull_request.head.sha }}`).

## Why it matters in production

These triggers run in the context of the base repository: with its secrets and a token that
can write, even for a pull request from a fork. Checking out the fork's code and then
building, testing or even just installing it (`npm install` runs its lifecycle scripts)
executes the attacker's code with those secrets ("pwn request").

## Example

```yaml
on: pull_request_target
jobs:
  test:
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
```

## Use instead

Run untrusted code under `pull_request` (no secrets, read-only token), and keep
`pull_request_target` for labelling and commenting on the base checkout. If results must be
published with secrets, upload them as an artifact and consume them in a separate
`workflow_run` workflow without checking out the head.

## Not flagged

Checkout of the base (no `ref:`, `github.sha`, `github.event.pull_request.base.sha`,
`github.ref`); the same checkout under `pull_request`, `push` or other triggers.

## How to suppress

`# prodlint-ignore GH107: only reads files, runs nothing` on the line above the step.

## References

- https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
"""

import re

from linter.registry import rule
from linter.workflows import find_expressions, matches_path, workflow_of

_RISKY_TRIGGERS = ("pull_request_target", "workflow_run")
_HEAD_PATHS = (
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.head.repo.clone_url",
    "github.event.pull_request.number",
    "github.event.number",
    "github.event.issue.number",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
    "github.event.workflow_run.head_commit.id",
    "github.event.workflow_run.pull_requests.*.head.sha",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.workflow_run.pull_requests.*.number",
)
_PULL_REF = re.compile(r"(?:refs/)?pull/[^/\s]+/(?:merge|head)\b")
_SCRIPT_CHECKOUT = re.compile(r"\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/[^\n]*/head\b")
_GIT_CHECKOUT = re.compile(r"\bgit\s+(?:checkout|switch|reset\s+--hard)\b[^\n]*")


_HEAD_PREFIXES = ("github.event.pull_request.head.", "github.event.workflow_run.head")


def _head_reference(text: str) -> str | None:
    for expression in find_expressions(text):
        for path in expression.read_paths():
            if path.startswith(_HEAD_PREFIXES):
                return path
            for pattern in _HEAD_PATHS:
                if matches_path(path, pattern):
                    if pattern.endswith("number"):
                        # a PR number names the head only inside `refs/pull/<n>/…`
                        pull = _PULL_REF.search(text.replace(f"${{{{{expression.source}}}}}", "<n>"))
                        if pull:
                            return pull.group()
                        continue
                    return path
    if _PULL_REF.search(text):
        return _PULL_REF.search(text).group()
    return None


@rule(
    code="GH107",
    slug="dangerous-trigger",
    level="error",
    cwe=829,
    summary="Privileged trigger checks out pull request code",
    target="workflow",
    security_severity=9.0,
    tags=("security", "github-actions"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None or workflow.kind != "workflow":
        return
    triggers = [event for event in _RISKY_TRIGGERS if event in workflow.triggers]
    if not triggers:
        return
    trigger = triggers[0]
    for step in workflow.steps():
        uses = step.uses
        head = None
        if uses is not None and uses.is_action("actions/checkout"):
            for key in ("ref", "repository"):
                value = step.with_.get(key)
                if isinstance(value, str):
                    head = _head_reference(value)
                    if head:
                        break
        elif step.run:
            if _SCRIPT_CHECKOUT.search(step.run):
                head = _SCRIPT_CHECKOUT.search(step.run).group().strip()
            else:
                for match in _GIT_CHECKOUT.finditer(step.run):
                    head = _head_reference(match.group())
                    if head:
                        break
        if head:
            yield ctx.report(
                step.route,
                f"step `{step.label}` checks out the pull request head (`{head}`) in a `{trigger}` workflow, "
                "which runs with the base repository's secrets and a write token: code from a fork runs with them",
            )
