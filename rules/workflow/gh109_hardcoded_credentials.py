"""## What it finds

Credentials written into a workflow or composite action: literal values of secret-like
names in `env:` blocks (workflow, job or step level) and `with:` inputs
(`API_KEY: sk_live_…`, `password: hunter2`, `NPM_TOKEN: npm_…`), known token formats under
any name (GitHub, Stripe, AWS, Slack, OpenAI, npm, JWTs, private keys), and passwords
inside connection URLs that point at a real host (`postgres://app:S3cret@db.example.com`).
The finding points at the value.

## Why it matters in production

Workflow files are readable by everyone who can read the repository, are copied into forks,
and stay in git history after the line is deleted. A credential there is public the moment
it is pushed and has to be rotated; in `secrets` it is encrypted, masked in logs, and
withheld from forks.

## Example

```yaml
env:
  STRIPE_SECRET_KEY: sk_live_51Hx…
steps:
  - uses: docker/login-action@v3
    with:
      password: hunter2
```

## Use instead

```yaml
env:
  STRIPE_SECRET_KEY: ${{ secrets.STRIPE_SECRET_KEY }}
```

## Not flagged

`${{ secrets.* }}` and any other expression; credentials of the job's own throwaway service
containers (`jobs.<id>.services.*.env`, e.g. `POSTGRES_PASSWORD: postgres`) and the same
values passed to that job's steps; placeholder passwords for services on localhost in a CI
job (`DB_PASSWORD: postgres` next to `DATABASE_URL: postgres://…@localhost`); placeholders
(`changeme`, `your-token`, `test`, `xxxx`); non-secret names (`POSTGRES_USER`, `NODE_ENV`).

## How to suppress

`# prodlint-ignore GH109: public test key of the sandbox` on the line above.

## References

- https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions
"""

import re

from linter.registry import rule
from linter.secrets import is_placeholder, is_weak, looks_like_credential, token_kind
from linter.semantics import is_secret_like, name_words
from linter.workflows import workflow_of

_LOCAL_HOSTS = re.compile(r"(?:^|[@/:])(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|host\.docker\.internal)(?:[:/]|$)")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://([^\s/@:]+):([^\s/@]+)@([^\s/:?#]+)", re.I)


def _literal(value) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    if "${{" in text or not text.strip():
        return None
    return text


def _service_values(job) -> set[str]:
    return {str(value) for service in job.services for value in service.env.values() if value is not None} if job else set()


_TEST_WORDS = re.compile(r"(?:^|[^a-z])(?:tests?|e2e|spec|integration|playwright|cypress|ci|check|lint|unit)(?:[^a-z]|$)", re.I)


def _test_job(workflow, job) -> bool:
    """A job (or, for workflow-level env, a workflow) that runs tests: its weak passwords
    (`supersecret`) configure the app under test, not a real account."""
    names = [str(workflow.data.get("name", ""))] if job is None else [job.id, job.name]
    return any(_TEST_WORDS.search(name.replace("_", " ").replace("-", " ")) for name in names if name)


def _localhost_ci(*blocks) -> bool:
    return any(isinstance(value, str) and _LOCAL_HOSTS.search(value) for block in blocks for value in block.values())


_SECRET_LAST = {"PASSWORD", "PASSWD", "PWD", "PASS", "SECRET", "TOKEN", "KEY", "CREDENTIALS", "CREDENTIAL", "PASSPHRASE"}
_SERVICE_DEFAULTS = {"postgres", "root", "mysql", "mariadb", "guest", "redis", "minioadmin", "mongo", "rabbitmq", "sa", "docker", "keycloak"}


def _chosen_password(name: str, value: str) -> bool:
    """A password someone typed (`hunter2`, `Winter2024!`) rather than a flag, a path, a
    variable or the stock password of a database image."""
    words = name_words(name)
    if not words or words[-1] not in _SECRET_LAST:
        return False
    if len(value) < 6 or len(value) > 128 or re.search(r"\s", value) or value[0] in "$~/.%" or value.lower() in _SERVICE_DEFAULTS:
        return False
    if is_placeholder(value) or re.fullmatch(r"[\d.]+|true|false|yes|no|on|off|none|null|auto|required|optional", value, re.I):
        return False
    return True


def _judge(name: str, value: str, *, throwaway: set[str], local: bool, test_job: bool = False) -> str | None:
    """Why `value` under `name` is a hardcoded credential, or None."""
    if value in throwaway:
        return None
    kind = token_kind(value)
    if kind:
        return kind
    if is_secret_like(name):
        reason = looks_like_credential(value, name)
        if reason:
            return reason
        # A human-chosen password is still a credential (`hunter2`), unless it is a placeholder
        # or the password of a database the CI job starts on localhost.
        if not local and _chosen_password(name, value) and not (test_job and is_weak(value)):
            return "a literal password"
    url = _URL.search(value)
    if url:
        password, host = url.group(2), url.group(3)
        if "." in host and not _LOCAL_HOSTS.search("@" + host) and not is_placeholder(password) and password not in throwaway and not password.startswith("$"):
            return "a password inside a connection URL"
    return None


@rule(
    code="GH109",
    slug="hardcoded-credentials",
    level="error",
    cwe=798,
    summary="Credential written into a workflow",
    target="workflow",
    security_severity=8.5,
    tags=("security", "secrets", "github-actions"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None:
        return
    blocks: list[tuple[tuple, dict, object]] = [(("env",), workflow.env, None)] if workflow.kind == "workflow" else []
    for job in workflow.jobs:
        if job.id:
            blocks.append((job.route + ("env",), job.env, job))
            if job.uses is not None:
                blocks.append((job.route + ("with",), job.with_, job))
        for step in job.steps:
            blocks.append((step.route + ("env",), step.env, job))
            blocks.append((step.route + ("with",), step.with_, job))
    for job in workflow.jobs:
        # Registry logins of the job's container and services are real accounts, not throwaway ones.
        holders = [(job.route + ("container",), job.data.get("container"))] + [(service.route, service.data) for service in job.services]
        for route, holder in holders:
            credentials = holder.get("credentials") if isinstance(holder, dict) else None
            if isinstance(credentials, dict):
                password = _literal(credentials.get("password"))
                if password and (token_kind(password) or not is_placeholder(password)):
                    yield ctx.report(
                        route + ("credentials", "password"),
                        "`credentials.password` holds a literal registry password written into the workflow: anyone "
                        "who can read the repository can log in as that account; use `${{ secrets.REGISTRY_PASSWORD }}`",
                    )
    jobs_with_services = [job for job in workflow.jobs if job.services]
    for route, block, job in blocks:
        if job is None:
            throwaway = set().union(*(_service_values(j) for j in jobs_with_services)) if jobs_with_services else set()
            local = bool(jobs_with_services) or _localhost_ci(workflow.env)
        else:
            throwaway = _service_values(job)
            step_blocks = [s.env for s in job.steps] + [s.with_ for s in job.steps]
            local = bool(job.services) or _localhost_ci(workflow.env, job.env, *step_blocks)
        for name, value in block.items():
            text = _literal(value)
            if text is None:
                continue
            reason = _judge(str(name), text, throwaway=throwaway, local=local, test_job=_test_job(workflow, job))
            if reason:
                yield ctx.report(
                    route + (name,),
                    f"`{name}` holds {reason} written into the {'workflow' if workflow.kind == 'workflow' else 'action'}: anyone who can read the repository "
                    f"(and every fork) has it; store it in `secrets` and use `${{{{ secrets.{str(name).upper().replace('-', '_')} }}}}`",
                )
