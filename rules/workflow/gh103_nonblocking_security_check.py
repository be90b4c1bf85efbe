"""## What it finds

Security checks that cannot fail the build:

- `continue-on-error: true` on a step that runs one (`npm audit`, `pnpm audit`, `yarn audit`,
  `pip-audit`, `cargo audit`, `snyk test`, `trivy`, `grype`, `semgrep`, `codeql`, `gitleaks`,
  `trufflehog`, ZAP, `checkov`, `osv-scanner`, `prodlint` itself, or their actions such as
  `aquasecurity/trivy-action`, `snyk/actions/*`, `github/codeql-action/analyze`,
  `gitleaks/gitleaks-action`), or on a job whose steps include one (reported at the
  `continue-on-error` key);
- such a command followed by `|| true`, `|| exit 0`, `|| :` or `|| echo …` in a script
  (reported at the `||`).

## Why it matters in production

A check whose failure is swallowed looks green on every pull request, so the vulnerable
dependency, the leaked key or the injectable query ships anyway and the team believes it
is covered. If a finding should not block, lower the tool's threshold instead
(`--audit-level=high`, `severity: CRITICAL`) so real problems still do.

## Example

```yaml
- run: pnpm audit --prod || true
- uses: aquasecurity/trivy-action@0.28.0
  continue-on-error: true
```

## Use instead

```yaml
- run: pnpm audit --prod --audit-level=high
```

## Not flagged

`continue-on-error` on other steps (tests of an experimental matrix entry, uploads), values
that are expressions (`${{ matrix.experimental }}`) or `false`; `|| true` after commands
that are not security checks (`npm audit fix`, `rm -f …`); comments.

## How to suppress

`# prodlint-ignore GH103: advisory only, tracked in SEC-12` on the line above.

## References

- https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepscontinue-on-error
"""

import re

from linter.registry import rule
from linter.workflows import commands, program, workflow_of

_AUDITORS = {"npm", "pnpm", "yarn", "bun"}
_TOOLS = {
    "snyk", "trivy", "grype", "semgrep", "codeql", "gitleaks", "trufflehog", "checkov", "osv-scanner",
    "pip-audit", "safety", "bandit", "govulncheck", "bundle-audit", "bundler-audit", "zap-baseline.py",
    "zap-full-scan.py", "zap-api-scan.py", "zap.sh", "prodlint", "audit-ci", "better-npm-audit", "retire",
    "tfsec", "kics", "hadolint", "npm-audit",
}
_ACTIONS = (
    "aquasecurity/trivy-action", "snyk/actions", "github/codeql-action/analyze", "gitleaks/gitleaks-action",
    "trufflesecurity/trufflehog", "anchore/scan-action", "returntocorp/semgrep-action", "semgrep/semgrep-action",
    "zaproxy/action-baseline", "zaproxy/action-full-scan", "zaproxy/action-api-scan", "bridgecrewio/checkov-action",
    "actions/dependency-review-action", "google/osv-scanner-action", "pypa/gh-action-pip-audit",
    "aquasecurity/tfsec-action", "snyk/actions/node", "docker/scout-action",
)
_SWALLOW = re.compile(r"^(?:true|:|exit\s+0|echo\b.*|printf\b.*)$")


def security_command(words: tuple[str, ...]) -> str | None:
    """The security check a command runs (`pnpm audit`), or None."""
    if not words:
        return None
    name, args = program(words)
    if name in _AUDITORS or (words[0] in _AUDITORS and name == "audit"):
        rest = [arg for arg in (args if name in _AUDITORS else ("audit",) + args) if not arg.startswith("-")]
        if rest[:1] == ["audit"] and rest[1:2] != ["fix"]:
            return f"{words[0]} audit"
        if rest[:2] == ["npm", "audit"]:  # yarn npm audit (berry)
            return "yarn npm audit"
        return None
    if name in ("cargo", "bundle") and args[:1] == ("audit",):
        return f"{name} audit"
    if name == "docker" and args[:2] == ("scout", "cves"):
        return "docker scout cves"
    if name in _TOOLS:
        return name
    return None


def _step_check(step) -> str | None:
    uses = step.uses
    if uses is not None and uses.is_action(*_ACTIONS):
        return uses.name
    if step.run:
        for command in commands(step.run):
            found = security_command(command.words)
            if found:
                return found
    return None


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


@rule(
    code="GH103",
    slug="nonblocking-security-check",
    level="error",
    cwe=754,
    summary="Security check that cannot fail the build",
    target="workflow",
    security_severity=6.5,
    tags=("security", "github-actions"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None or workflow.kind != "workflow":
        return
    for job in workflow.jobs:
        if job.id and _is_true(job.continue_on_error):
            found = next((found for found in map(_step_check, job.steps) if found), None)
            if found:
                yield ctx.report(
                    job.route + ("continue-on-error",),
                    f"`continue-on-error: true` on job `{job.id}`, which runs `{found}`: its failures never fail "
                    "the workflow, so what it finds ships anyway",
                    key=True,
                )
        for step in job.steps:
            if _is_true(step.continue_on_error):
                found = _step_check(step)
                if found:
                    yield ctx.report(
                        step.route + ("continue-on-error",),
                        f"`continue-on-error: true` on the step running `{found}`: a failed check stays green, "
                        "so what it finds ships anyway; tune the tool's severity threshold instead",
                        key=True,
                    )
            if not step.run:
                continue
            parts = commands(step.run)
            for index, command in enumerate(parts):
                if command.operator_after != "||" or index + 1 >= len(parts):
                    continue
                fallback = parts[index + 1]
                if not _SWALLOW.match(fallback.text):
                    continue
                # The `||` catches the whole `a && b | c` list before it, back to the last `;` or line end.
                found = None
                back = index
                while back >= 0:
                    found = found or security_command(parts[back].words)
                    if back == 0 or parts[back - 1].operator_after not in ("&&", "|", "||"):
                        break
                    back -= 1
                if not found:
                    continue
                start = step.run.find("||", command.end)
                if start < 0:
                    continue
                yield ctx.report(
                    step.route + ("run",),
                    f"`{found}` followed by `|| {fallback.text}`: the check can never fail the build, so what it "
                    "finds ships anyway; use the tool's severity threshold instead",
                    span=(start, fallback.end),
                )
