"""## What it finds

Literal `http(s)://` URLs of deployed apps in `run:` scripts and in `with:` inputs of health
checks and smoke tests: `curl -f https://my-app.vercel.app/api/health`,
`npx wait-on https://staging.example.com`, `url: https://shop.example.com/healthz` given to
an uptime or Lighthouse action. A URL counts when its host is an app-hosting domain
(`*.vercel.app`, `*.netlify.app`, `*.fly.dev`, `*.onrender.com`, `*.pages.dev`, …) or when an
HTTP client (`curl`, `wget`, `httpie`, `wait-on`, `lighthouse`) requests it in a step or
path that is about health, status or smoke testing. The finding points at the URL.

## Why it matters in production

The check then tests one fixed deployment, not the one this run just produced: a preview
URL, a renamed project or a moved domain leaves the smoke test green while the new release
is broken (or red while it is fine). The address also belongs to the environment, so it
drifts from the real one the first time someone changes it there.

## Example

```yaml
- name: Smoke test
  run: curl -fsS https://acme-shop.vercel.app/api/health
```

## Use instead

```yaml
- name: Smoke test
  run: curl -fsS "${{ steps.deploy.outputs.url }}/api/health"
# or vars.PRODUCTION_URL / the environment's url
```

## Not flagged

`${{ vars.* }}`, `${{ secrets.* }}`, `${{ steps.*.outputs.* }}` and `$VAR` URLs; package
registries and installers (`registry.npmjs.org`, `get.pnpm.io`, downloads of `.sh`/`.tar.gz`
files); `github.com` and its APIs; documentation sites; `localhost`, private addresses and
service-container names in test jobs; `environment.url`; API calls to deploy platforms
(`api.vercel.com`) and webhooks.

## How to suppress

`# prodlint-ignore GH101: status page of a third-party dependency` on the line above.

## References

- https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#using-an-environment
"""

import re
from urllib.parse import urlsplit

from linter.registry import rule
from linter.workflows import commands, program, workflow_of

_URL = re.compile(r"https?://[^\s'\"`<>|;)\]${}]+", re.I)
_APP_HOSTS = re.compile(
    r"\.(?:vercel\.app|netlify\.app|fly\.dev|herokuapp\.com|onrender\.com|railway\.app|pages\.dev|workers\.dev|"
    r"azurewebsites\.net|azurestaticapps\.net|appspot\.com|run\.app|web\.app|firebaseapp\.com|amplifyapp\.com|"
    r"deno\.dev|surge\.sh|elasticbeanstalk\.com|cloudfront\.net|koyeb\.app|ondigitalocean\.app|netlify\.com)$",
    re.I,
)
_INFRA_HOSTS = re.compile(
    r"(?:^|\.)(?:github\.com|githubusercontent\.com|github\.io|githubassets\.com|ghcr\.io|npmjs\.org|npmjs\.com|yarnpkg\.com|"
    r"pypi\.org|pythonhosted\.org|docker\.io|docker\.com|quay\.io|gcr\.io|pkg\.dev|crates\.io|rubygems\.org|golang\.org|"
    r"go\.dev|maven\.org|apache\.org|nodejs\.org|nodesource\.com|pnpm\.io|bun\.sh|deno\.land|astral\.sh|"
    r"python-poetry\.org|rustup\.rs|hashicorp\.com|google\.com|googleapis\.com|amazonaws\.com|microsoft\.com|"
    r"azure\.com|api\.vercel\.com|vercel\.com|api\.cloudflare\.com|api\.netlify\.com|api\.fly\.io|slack\.com|"
    r"discord\.com|discordapp\.com|telegram\.org|codecov\.io|sentry\.io|sonarcloud\.io|coveralls\.io|unpkg\.com|"
    r"jsdelivr\.net|cdnjs\.com|example\.com|example\.org|example\.net|schemastore\.org|json-schema\.org|w3\.org|"
    r"readthedocs\.io|shields\.io|gitlab\.com|bitbucket\.org|ubuntu\.com|debian\.org|alpinelinux\.org|"
    r"mozilla\.org|playwright\.dev|cypress\.io|chromium\.org|googlesource\.com|sourceforge\.net|releases\.\S+)$",
    re.I,
)
_LOCAL = re.compile(
    r"^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|::1|host\.docker\.internal|10\.\d+\.\d+\.\d+|"
    r"192\.168\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|[^.]+|.*\.(?:local|internal|test|localhost|svc|cluster\.local))$",
    re.I,
)
_FILE = re.compile(r"\.(?:sh|bash|ps1|tar|gz|tgz|xz|bz2|zip|deb|rpm|gpg|asc|key|pub|pem|exe|msi|dmg|pkg|jar|whl|py|sig|sha256|txt|json|ya?ml|xml|toml|apk)$", re.I)
_CLIENTS = {"curl", "wget", "http", "https", "xh", "httpie", "wait-on", "lighthouse", "lhci", "hey", "ab", "httping", "k6", "newman", "linkinator", "blc", "pa11y", "pa11y-ci"}
_HEALTHY_PATH = re.compile(r"health|status|ping|ready|readiness|live|liveness|alive|heartbeat|/up/?$|version|smoke", re.I)
_HEALTHY_STEP = re.compile(r"health|smoke|uptime|ping|ready|readiness|liveness|warm|heartbeat|probe|wait for|availability|post-?deploy|sanity|verify (?:the )?(?:deploy|release|site|app)", re.I)
_URL_INPUT_KEYS = re.compile(r"^(?:urls?|uri|site|target|endpoint|address|host|wait-on|base-?url|baseurl|config|check-url|health-?url|app-url|website|page|pages)$", re.I)
_HEALTH_ACTIONS = re.compile(r"health|uptime|url-check|lighthouse|wait|smoke|ping|availability|link-?check|pa11y", re.I)
_SKIP_INPUT_KEYS = re.compile(r"environment[-_]?url|env[-_]url|webhook|registry|repository|api[-_]?url|server[-_]url|docs?$", re.I)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _clean(url: str) -> str:
    return url.rstrip(".,:'\"")


def _candidate(url: str) -> bool:
    """A URL that could be a deployed app at all."""
    host = _host(url)
    if not host or "$" in url.split("//", 1)[1].split("/", 1)[0] or "{" in host:
        return False
    if _LOCAL.match(host) or _INFRA_HOSTS.search(host):
        return False
    path = urlsplit(url).path
    return not _FILE.search(path)


def _download(words: tuple[str, ...], next_words: tuple[str, ...] | None) -> bool:
    flags = set(words)
    if flags & {"-o", "-O", "--output", "--remote-name", "-d", "--data", "--data-raw", "--data-binary", "-F", "--form", "--upload-file", "-T"}:
        return True
    if any(word.startswith(("--output=", "--data", "-XPOST", "-XPUT", "-XDELETE")) for word in words):
        return True
    for index, word in enumerate(words[:-1]):
        if word in ("-X", "--request") and words[index + 1].upper() in ("POST", "PUT", "PATCH", "DELETE"):
            return True
        if word in ("-H", "--header") and words[index + 1].lower().startswith("authorization"):
            return True
    return bool(next_words) and program(next_words)[0] in ("sh", "bash", "tar", "gpg", "apt-key", "sudo", "python", "python3", "node", "zsh", "unzip")


@rule(
    code="GH101",
    slug="hardcoded-deployment-url",
    level="warning",
    cwe=547,
    summary="Deployed app URL hardcoded in a workflow",
    target="workflow",
    security_severity=2.0,
    tags=("reliability", "github-actions", "deployment"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None or workflow.kind != "workflow":
        return
    for step in workflow.steps():
        about_health = bool(_HEALTHY_STEP.search(f"{step.name} {step.id}"))
        if step.run:
            parts = commands(step.run)
            for index, command in enumerate(parts):
                following = parts[index + 1].words if command.operator_after == "|" and index + 1 < len(parts) else None
                name, _args = program(command.words)
                for match in _URL.finditer(step.run, command.start, command.end):
                    url = _clean(match.group())
                    if not _candidate(url):
                        continue
                    host = _host(url)
                    if _APP_HOSTS.search(host):
                        hit = not _download(command.words, following) or name not in _CLIENTS
                    else:
                        hit = name in _CLIENTS and not _download(command.words, following) and (about_health or bool(_HEALTHY_PATH.search(urlsplit(url).path)))
                    if hit:
                        yield ctx.report(
                            step.route + ("run",),
                            f"`{url}` is hardcoded in step `{step.label}`: the check keeps testing this one deployment, "
                            "not the one the run produced; use `${{ steps.<id>.outputs.url }}` or `${{ vars.APP_URL }}`",
                            span=(match.start(), match.start() + len(url)),
                        )
        uses = step.uses
        health_action = uses is not None and bool(_HEALTH_ACTIONS.search(uses.name)) or about_health
        for key, value in step.with_.items():
            if not isinstance(value, str) or _SKIP_INPUT_KEYS.search(str(key)) or not _URL_INPUT_KEYS.match(str(key)):
                continue
            for match in _URL.finditer(value):
                url = _clean(match.group())
                if not _candidate(url):
                    continue
                if health_action or _APP_HOSTS.search(_host(url)):
                    yield ctx.report(
                        step.route + ("with", key),
                        f"`{url}` is hardcoded in the `{key}` input of step `{step.label}`: the check keeps testing this "
                        "one deployment, not the one the run produced; pass `${{ steps.<id>.outputs.url }}` or `${{ vars.APP_URL }}`",
                        span=(match.start(), match.start() + len(url)),
                    )
