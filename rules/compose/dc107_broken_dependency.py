"""## What it finds

In the service graph that `depends_on` builds (short list form and long mapping form,
merged with the override file docker compose pairs with the file):

- a dependency on a service that no file of the project defines;
- `condition: service_healthy` on a service that has no `healthcheck` (or disables it);
- dependency cycles, each reported once, at the `depends_on` entry that closes it.

## Why it matters in production

`docker compose up` refuses to start a project with an unknown or cyclic dependency, and a
`service_healthy` wait on a service without a health check fails the start (or, with an
image that brings its own `HEALTHCHECK`, silently depends on something the file does not
show). Either way the stack does not come up after a reboot or a deploy.

## Example

```yaml
services:
  api:
    image: ghcr.io/acme/api:2.3.1
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16.4
```

## Use instead

```yaml
  db:
    image: postgres:16.4
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
```

## Not flagged

Dependencies on services defined in the paired override file or base file, optional ones
(`required: false`), on services a service inherits through `extends`, in projects that pull services in with `include:`,
`service_started` / `service_completed_successfully` conditions, and `service_healthy` on
services whose health check is inherited from a file prodlint did not scan.

## How to suppress

`# prodlint-ignore DC107` on the line above the `depends_on` entry.

## References

- https://docs.docker.com/reference/compose-file/services/#depends_on
- https://docs.docker.com/reference/compose-file/services/#healthcheck
"""

from linter.compose import collect_facts, merged_projects, resolve_extends
from linter.registry import rule
from linter.yamlscan import yaml_collector


@rule(
    code="DC107",
    slug="broken-dependency",
    level="error",
    cwe=1286,
    summary="`depends_on` that cannot work as written",
    target="project",
    collect=yaml_collector("compose")(collect_facts),
    security_severity=4.0,
    tags=("reliability", "docker-compose"),
)
def check(ctx):
    projects = merged_projects(ctx.index.facts("DC107"), ctx.config)
    by_file = {project["base"]: project for project in projects}
    for project in projects:
        services = project["services"]
        standalone_override = project["override"]
        import networkx as nx  # only once there is a compose project: it costs ~0.1 s at start-up

        graph = nx.DiGraph()
        entries = {}
        for name, service in services.items():
            graph.add_node(name)
            for dependency, condition, location, required in service["depends"]:
                entries.setdefault((name, dependency), location)
                if dependency not in services:
                    if required and not project["include"] and not standalone_override:
                        ctx.report(
                            location,
                            f"service `{name}` depends on `{dependency}`, which no service of this compose project defines: "
                            "`docker compose up` refuses to start",
                        )
                    continue
                graph.add_edge(name, dependency)
                if condition == "service_healthy":
                    healthy = resolve_extends(project, dependency, by_file, "healthcheck")
                    if healthy is False:
                        ctx.report(
                            location,
                            f"service `{name}` waits for `{dependency}` to be `service_healthy`, but `{dependency}` has no "
                            "`healthcheck`: the start fails or hangs on a check the file does not define; add one",
                        )
        for cycle in sorted(nx.simple_cycles(graph), key=lambda c: (len(c), sorted(c))):
            # rotate so the cycle starts at its smallest name: one report per cycle, stable
            first = cycle.index(min(cycle))
            cycle = cycle[first:] + cycle[:first]
            closing = (cycle[-1], cycle[0])
            location = entries.get(closing)
            if location is None:
                continue
            path = " -> ".join(f"`{name}`" for name in cycle + [cycle[0]])
            ctx.report(location, f"dependency cycle {path}: no service of it can start first, so `docker compose up` fails")
    return ()
