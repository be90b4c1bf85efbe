"""## What it finds

`image:` with no tag (`image: postgres`) or with `:latest`.

## Why it matters in production

An unpinned image changes under you: the next `docker compose pull` or a new host brings a
new major version (postgres 16 refuses the data directory of 15, redis changes defaults),
and two hosts of the same deployment may run different code. Rollbacks cannot go back to a
known image.

## Example

```yaml
services:
  db:
    image: postgres
```

## Use instead

```yaml
services:
  db:
    image: postgres:16.4-alpine   # or postgres@sha256:<digest>
```

## Not flagged

Explicit versions (`redis:7.2`), digests (`@sha256:…`), tags or whole references from a
variable (`ghcr.io/acme/api:${TAG}`, `${API_IMAGE}`), and images of services that are built
here (`build:` next to `image:` names the image compose builds).

## How to suppress

`# prodlint-ignore DC106: local dev tool` on the line above the `image:`.

## References

- https://docs.docker.com/reference/compose-file/services/#image
"""

from linter.compose import compose_of
from linter.registry import rule


@rule(
    code="DC106",
    slug="unpinned-image",
    level="note",
    cwe=1357,
    summary="Image without a version tag",
    target="compose",
    security_severity=3.0,
    tags=("reliability", "docker-compose", "supply-chain"),
)
def check(ctx):
    compose = compose_of(ctx)
    if compose is None:
        return
    for service in compose.services:
        ref = service.image_ref
        if ref is None or ref.variable or ref.digest or service.build is not None:
            continue
        if ref.tag and ref.tag.lower() != "latest":
            continue
        what = "`:latest`" if ref.tag else "no tag (so `:latest`)"
        yield ctx.report(
            service.route + ("image",),
            f"service `{service.name}` uses image `{ref.raw}` with {what}: the next pull may bring a different major "
            "version and hosts drift apart; pin a version or a digest",
        )
