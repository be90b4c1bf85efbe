"""## What it finds

Jobs that deploy without an `environment:`: scripts that run `vercel --prod` /
`vercel deploy --prod`, `railway up`, `flyctl deploy` / `fly deploy`, `kubectl apply` /
`kubectl rollout`, `helm upgrade|install`, `helmfile apply|sync`, `terraform apply`, `wrangler deploy|publish`,
`serverless deploy` / `sls deploy`, `netlify deploy --prod`, `firebase deploy`, `cdk deploy`,
or that use a known deploy action (`amondnet/vercel-action`, `superfly/flyctl-actions`,
`cloudflare/wrangler-action`, `aws-actions/amazon-ecs-deploy-task-definition`,
`google-github-actions/deploy-cloudrun`, `azure/webapps-deploy`, …). Preview deploys
(`vercel deploy` or `netlify deploy` without `--prod`) are reported as a `note`. The finding
points at the job key.

## Why it matters in production

An environment is where GitHub enforces deployment protection: required reviewers, wait
timers, branch restrictions, and secrets that only that environment can read. A deploy job
without one ships to production from any branch the workflow runs on, with no approval,
and it can read every repository secret. It also leaves no deployment history to roll
back from.

## Example

```yaml
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: npx vercel deploy --prod --token=${{ secrets.VERCEL_TOKEN }}
```

## Use instead

```yaml
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment:
      name: production
      url: ${{ steps.deploy.outputs.url }}
```

## Not flagged

Jobs with any `environment:` (a name, a mapping or an expression); dry runs (`--dry-run`,
`terraform plan`, `helm template`, `kubectl diff`); jobs calling a reusable workflow (the
called workflow's jobs carry the environment).

## How to suppress

`# prodlint-ignore GH102: protected by branch rules on main` on the line above the job key.

## References

- https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment
"""

from linter.registry import rule
from linter.workflows import commands, positional, program, workflow_of

# action -> (with-input, values meaning production) or None when every use deploys to production
_DEPLOY_ACTIONS = {
    "amondnet/vercel-action": ("vercel-args", "--prod"),
    "nwtgck/actions-netlify": ("production-deploy", "true"),
    "superfly/flyctl-actions": ("args", "deploy"),
    "helmfile/helmfile-action": ("helmfile-args", "apply", "sync", "deploy"),
    "superfly/flyctl-actions/deploy": None,
    "cloudflare/wrangler-action": None,
    "cloudflare/pages-action": None,
    "aws-actions/amazon-ecs-deploy-task-definition": None,
    "google-github-actions/deploy-cloudrun": None,
    "google-github-actions/deploy-appengine": None,
    "google-github-actions/deploy-cloud-functions": None,
    "azure/webapps-deploy": None,
    "azure/functions-action": None,
    "azure/k8s-deploy": None,
    "akhileshns/heroku-deploy": None,
    "appleboy/ssh-action": None,
    "railwayapp/cli": None,
    "serverless/github-action": ("args", "deploy"),
    "w9jds/firebase-action": ("args", "deploy"),
    "firebaseextended/action-hosting-deploy": ("channelId", "live"),
    "actions/deploy-pages": None,
    "aws-actions/aws-cloudformation-github-deploy": None,
    "digitalocean/app_action": None,
}
_DRY = ("--dry-run", "--dry-run=client", "--dry-run=server", "--dryrun", "--check")


def deploy_command(words: tuple[str, ...]) -> tuple[str, bool] | None:
    """(`vercel deploy --prod`, production?) for a command that deploys, else None."""
    name, args = program(words)
    if not name or any(arg.split("=")[0] in _DRY or arg.startswith("--dry-run") for arg in args):
        return None
    sub = positional(args)
    flags = set(args)
    if name == "vercel":
        if sub[:1] and sub[0] not in ("deploy", "--prod") and sub[0] in ("build", "pull", "env", "link", "login", "whoami", "alias", "promote", "inspect", "logs", "ls", "list", "rm", "remove", "domains", "dns", "certs", "secrets", "teams", "switch", "project", "projects", "redeploy", "rollback", "bisect", "git", "init", "dev", "help", "--version"):
            return ("vercel promote", True) if sub[0] == "promote" else None
        return ("vercel deploy --prod" if "--prod" in flags or "--production" in flags else "vercel deploy", "--prod" in flags or "--production" in flags)
    if name in ("netlify", "netlify-cli") and sub[:1] == ["deploy"]:
        production = "--prod" in flags or "--production" in flags or any(a.startswith("--prod") for a in args)
        return ("netlify deploy --prod" if production else "netlify deploy", production)
    if name == "railway" and sub[:1] in (["up"], ["deploy"]):
        return (f"railway {sub[0]}", True)
    if name in ("flyctl", "fly") and "deploy" in sub[:2]:
        return (f"{name} deploy", True)
    if name == "kubectl" and any(word in ("apply", "rollout", "set") for word in sub[:3]) and "diff" not in sub[:3]:
        verb = next(word for word in sub[:3] if word in ("apply", "rollout", "set"))
        if verb == "rollout" and any(word in ("status", "history") for word in sub):
            return None
        return (f"kubectl {verb}", True)
    if name == "helm" and any(word in ("upgrade", "install") for word in sub[:2]):
        return ("helm " + next(word for word in sub[:2] if word in ("upgrade", "install")), True)
    if name == "helmfile" and any(word in ("apply", "sync", "deploy") for word in sub[:3]):
        return ("helmfile " + next(word for word in sub[:3] if word in ("apply", "sync", "deploy")), True)
    if name == "terraform" and "apply" in sub[:2]:
        return ("terraform apply", True)
    if name in ("tofu", "terragrunt") and "apply" in sub[:2]:
        return (f"{name} apply", True)
    if name == "wrangler" and ("deploy" in sub[:2] or "publish" in sub[:1]):
        return ("wrangler " + ("pages deploy" if sub[:1] == ["pages"] else sub[0]), True)
    if name in ("serverless", "sls") and sub[:1] == ["deploy"]:
        return (f"{name} deploy", True)
    if name == "firebase" and sub[:1] == ["deploy"]:
        return ("firebase deploy", True)
    if name == "cdk" and sub[:1] == ["deploy"]:
        return ("cdk deploy", True)
    if name == "gcloud" and "deploy" in sub[:4]:
        return ("gcloud … deploy", True)
    return None


def _action_deploy(step) -> tuple[str, bool] | None:
    uses = step.uses
    if uses is None or uses.kind != "action":
        return None
    production_input = _DEPLOY_ACTIONS.get(uses.name, False)
    if production_input is False:
        return None
    if production_input is None:
        return (uses.name, True)
    key, *wanted = production_input
    value = str(step.with_.get(key, "")).lower()
    if key.endswith("args"):  # a CLI wrapper: deploys only when told to
        return (uses.name, True) if set(wanted) & set(value.split()) else None
    return (uses.name, wanted[0].lower() in value)


@rule(
    code="GH102",
    slug="deploy-without-environment",
    level="error",
    cwe=284,
    summary="Deploy job without a deployment environment",
    target="workflow",
    security_severity=6.0,
    tags=("security", "github-actions", "deployment"),
)
def check(ctx):
    workflow = workflow_of(ctx)
    if workflow is None or workflow.kind != "workflow":
        return
    for job in workflow.jobs:
        if job.environment is not None or job.uses is not None:
            continue
        deploys: list[tuple[str, bool]] = []
        for step in job.steps:
            found = _action_deploy(step)
            if found:
                deploys.append(found)
            if step.run:
                deploys += [found for command in commands(step.run) if (found := deploy_command(command.words))]
        if not deploys:
            continue
        production = [what for what, prod in deploys if prod]
        if production:
            yield ctx.report(
                job.route,
                f"job `{job.id}` deploys (`{production[0]}`) without an `environment:`: no required reviewers, "
                "branch rules or environment-scoped secrets stand between any push and production",
                key=True,
            )
        else:
            yield ctx.report(
                job.route,
                f"job `{job.id}` makes a preview deploy (`{deploys[0][0]}`) without an `environment:`: "
                "it gets every repository secret and leaves no deployment record",
                key=True,
                level="note",
            )
