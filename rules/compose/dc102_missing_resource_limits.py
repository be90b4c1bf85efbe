"""## What it finds

A service with no memory limit (`deploy.resources.limits.memory` or the legacy `mem_limit`)
or no CPU limit (`deploy.resources.limits.cpus` or the legacy `cpus`). Limits set in an
`x-` extension block merged with `<<: *defaults`, inherited through `extends`, or set by the
override file docker compose merges by default (`docker-compose.override.yml` into
`docker-compose.yml`, `compose.override.yaml` into `compose.yaml`, or pairs configured with
`compose-overrides`) count. A merge key is shallow: a service that writes its own `deploy:`
replaces the merged one.

## Why it matters in production

Without a memory limit one leaking service takes all of the host's memory and the kernel's
OOM killer picks a victim, often the database. Without a CPU limit a busy loop in one
container starves every other service on the host, health checks time out and the outage
spreads.

## Example

```yaml
services:
  api:
    image: ghcr.io/acme/api:2.3.1
```

## Use instead

```yaml
services:
  api:
    image: ghcr.io/acme/api:2.3.1
    deploy:
      resources:
        limits:
          memory: 512M
          cpus: "1.0"
```

## Not flagged

Override files (`docker-compose.override.yml`, `compose.override.yaml`, configured
overrides): their services are checked merged into the base. Services whose limits come
from an anchor, an `extends` parent (also in another scanned file) or the override. Files
named `*.dev.*` when the rule option `check-dev-files` is `false`. Services that extend a
file prodlint did not scan (unknown: not flagged).

## How to suppress

`# prodlint-ignore DC102: batch job, host sized for it` on the line above the service key,
or `[tool.prodlint.per-file-ignores] "docker-compose.dev.yml" = ["DC102"]`.

## References

- https://docs.docker.com/reference/compose-file/deploy/#resources
- https://docs.docker.com/engine/containers/resource_constraints/
"""

import posixpath
import re

from linter.compose import collect_facts, merged_projects, resolve_extends
from linter.registry import Option, rule
from linter.yamlscan import yaml_collector

_DEV = re.compile(r"(^|[._-])(dev|development|local)([._-]|$)", re.I)


@rule(
    code="DC102",
    slug="missing-resource-limits",
    level="warning",
    cwe=770,
    summary="Service without memory or CPU limits",
    target="project",
    collect=yaml_collector("compose")(collect_facts),
    security_severity=5.0,
    tags=("reliability", "docker-compose"),
    options={"check-dev-files": Option(bool, True, "also check files named like `docker-compose.dev.yml`")},
)
def check(ctx):
    projects = merged_projects(ctx.index.facts("DC102"), ctx.config)
    by_file = {project["base"]: project for project in projects}
    for project in projects:
        if project["override"]:
            continue
        if not ctx.options.get("check-dev-files", True) and _DEV.search(posixpath.basename(project["base"]).rsplit(".", 1)[0]):
            continue
        for name, service in project["services"].items():
            if service["files"][0] != project["base"]:
                continue  # defined by an override file: dev additions, not judged
            memory = resolve_extends(project, name, by_file, "mem")
            cpu = resolve_extends(project, name, by_file, "cpu")
            missing = [what for what, present in (("memory", memory), ("CPU", cpu)) if present is False]
            if not missing:
                continue
            what = " or ".join(missing)
            ctx.report(
                service["key"],
                f"service `{name}` has no {what} limit: one leaking or busy container can starve every other service on the "
                "host; set `deploy.resources.limits` (`memory`, `cpus`)",
            )
    return ()
