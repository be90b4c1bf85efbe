"""## What it finds

A `volumes:` entry that mounts the host's Docker socket (`/var/run/docker.sock` or
`/run/docker.sock`, also the rootless `$XDG_RUNTIME_DIR/docker.sock` form and
`${DOCKER_SOCK:-/var/run/docker.sock}`), in short (`"/var/run/docker.sock:/var/run/docker.sock:ro"`)
or long syntax (`type: bind`, `source: /var/run/docker.sock`), the Windows pipe
`//./pipe/docker_engine`, and the folders that hold the socket (`/var/run`, `/run`). `:ro`
does not help: the
socket is an API, read-only only stops deleting the file.

## Why it matters in production

Whoever can talk to the Docker socket can start a privileged container that mounts the
host's root filesystem: root on the host. A remote code execution in a reverse proxy,
log shipper or dashboard with the socket mounted becomes a full host takeover.

## Example

```yaml
services:
  traefik:
    image: traefik:v3.1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
```

## Use instead

Put a filtering proxy in front (`tecnativa/docker-socket-proxy` allowing only the
read-only endpoints it needs) and point the service at it over a private network, or use
the file provider instead of Docker discovery.

## Not flagged

Other bind mounts and named volumes, and volumes whose container path merely ends in
`docker.sock` while the host side is something else.

## How to suppress

`# prodlint-ignore DC105: socket proxy, GET-only` on the line above the entry.

## References

- https://docs.docker.com/engine/security/#docker-daemon-attack-surface
- https://owasp.org/www-project-docker-top-10/
"""

import re

from linter.compose import compose_of, interpolations
from linter.registry import rule

_SOCKET = re.compile(r"(^|/)docker\.sock$|^(//\./|\\\\\.\\)pipe[/\\]docker_engine$", re.I)
_SOCKET_FOLDERS = {"/var/run", "/run", "/var/run/docker", "/run/docker"}


def _host_side(source: str) -> str:
    found = interpolations(source)
    if found and found[0].start == 0 and found[0].end == len(source) and found[0].default:
        return found[0].default
    return source


@rule(
    code="DC105",
    slug="docker-socket-mounted",
    level="error",
    cwe=250,
    summary="Docker socket mounted into a container",
    target="compose",
    security_severity=9.0,
    tags=("security", "docker-compose", "container-escape"),
)
def check(ctx):
    compose = compose_of(ctx)
    if compose is None:
        return
    for service in compose.services:
        for volume in service.volumes():
            if not volume.source:
                continue
            host = _host_side(volume.source.strip())
            if host.rstrip("/") in _SOCKET_FOLDERS:
                yield ctx.report(
                    volume.route,
                    f"service `{service.name}` mounts `{volume.source}`, the host folder that holds the Docker socket: "
                    "anyone who compromises it can reach the daemon and own the host; mount only what it needs",
                )
            elif _SOCKET.search(host):
                yield ctx.report(
                    volume.route,
                    f"service `{service.name}` mounts the Docker socket `{volume.source}`: anyone who compromises it "
                    "can start a privileged container and own the host (`:ro` does not help); use a filtering socket proxy",
                )
