"""## What it finds

`privileged: true`; `cap_add` with `ALL`, `SYS_ADMIN` or `NET_ADMIN`; `network_mode: host`;
`pid: host`; `security_opt` entries `seccomp:unconfined` / `apparmor:unconfined` (either `:`
or `=` form).

## Why it matters in production

A privileged container, or one with `SYS_ADMIN`, can mount the host's disks and load kernel
modules: a compromise of the app is a compromise of the machine. Host networking removes
network isolation (every host port, including ones bound to localhost, is reachable from the
container), `pid: host` lets it see and signal every host process, and an unconfined seccomp
or AppArmor profile gives up the kernel syscall filter that blocks most container escapes.

## Example

```yaml
services:
  worker:
    image: ghcr.io/acme/worker:1.4.2
    privileged: true
```

## Use instead

Grant the one capability the process needs (`cap_add: [NET_BIND_SERVICE]`), publish ports
instead of `network_mode: host`, and keep the default seccomp/AppArmor profiles.

## Not flagged

`privileged: false`, narrow capabilities (`CHOWN`, `NET_BIND_SERVICE`, `SYS_NICE`),
`cap_drop`, bridge and service networking, custom seccomp profile files.

## How to suppress

`# prodlint-ignore DC104: cAdvisor needs host PID` on the line above the key.

## References

- https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities
- https://docs.docker.com/engine/security/seccomp/
"""

import re

from linter.compose import compose_of
from linter.registry import rule

_CAPS = {"ALL", "SYS_ADMIN", "NET_ADMIN"}
_UNCONFINED = re.compile(r"^\s*(seccomp|apparmor)\s*[:=]\s*unconfined\s*$", re.I)


@rule(
    code="DC104",
    slug="privileged-service",
    level="error",
    cwe=250,
    summary="Service runs privileged or shares the host's namespaces",
    target="compose",
    security_severity=8.0,
    tags=("security", "docker-compose", "container-escape"),
)
def check(ctx):
    compose = compose_of(ctx)
    if compose is None:
        return
    for service in compose.services:
        data = service.data
        name = service.name
        if data.get("privileged") is True or str(data.get("privileged")).lower() == "true":
            yield ctx.report(
                service.route + ("privileged",),
                f"service `{name}` runs with `privileged: true`: every device and capability of the host; a compromised "
                "process can take over the machine. Grant the one capability it needs with `cap_add`",
                key=True,
            )
        caps = data.get("cap_add")
        if isinstance(caps, list):
            for index, cap in enumerate(caps):
                if isinstance(cap, str) and cap.strip().upper().removeprefix("CAP_") in _CAPS:
                    yield ctx.report(
                        service.route + ("cap_add", index),
                        f"service `{name}` adds capability `{cap}`: close to root on the host (mounts, network "
                        "configuration, kernel interfaces); grant a narrower capability",
                    )
        for key, host_value in (("network_mode", "host"), ("pid", "host")):
            value = data.get(key)
            if isinstance(value, str) and value.strip().lower() == host_value:
                consequence = (
                    "the container shares the host's network stack: every host port, localhost ones included, is "
                    "reachable from it and its ports skip publishing rules"
                    if key == "network_mode"
                    else "the container sees and can signal every process of the host"
                )
                yield ctx.report(service.route + (key,), f"service `{name}` sets `{key}: host`: {consequence}", key=True)
        options = data.get("security_opt")
        if isinstance(options, list):
            for index, option in enumerate(options):
                if isinstance(option, str) and _UNCONFINED.match(option):
                    yield ctx.report(
                        service.route + ("security_opt", index),
                        f"service `{name}` runs with `{option.strip()}`: the kernel filter that blocks most container "
                        "escapes is off; keep the default profile or ship a custom one",
                    )
