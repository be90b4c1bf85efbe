"""## What it finds

A `ports:` entry that publishes a container port without a host IP: `"6379:6379"`,
`"5432"` (a random host port, still on every interface), `"8000-8010:8000-8010"`, the long
syntax without `host_ip` or with `host_ip: 0.0.0.0` / `::`, and `${BIND_IP:-0.0.0.0}`
defaults. Docker publishes such ports on `0.0.0.0` and inserts its own iptables rules ahead
of `ufw`/firewalld, so the port is reachable from the internet on a host with a public
address.

The finding is an **error** for data stores, queues, admin UIs and monitoring backends
(redis, postgres, mysql/mariadb, mongo, elasticsearch/opensearch, memcached, rabbitmq, kafka,
zookeeper, etcd, minio, clickhouse, cassandra, adminer, pgadmin, prometheus, grafana, …, by
image or service name) and a **warning** for everything else.

## Why it matters in production

Unauthenticated Redis, Elasticsearch and MongoDB instances reachable from the internet are
found by scanners within minutes and wiped, ransomed or turned into crypto miners. Docker's
port publishing bypasses the host firewall most people rely on.

## Example

```yaml
services:
  redis:
    image: redis:7.2-alpine
    ports:
      - "6379:6379"
```

## Use instead

```yaml
services:
  redis:
    image: redis:7.2-alpine
    ports:
      - "127.0.0.1:6379:6379"   # or drop `ports:` and let other services use the network
```

Services on the same compose network reach each other by service name without any
`ports:`; use `expose:` to document internal ports.

## Not flagged

Bindings to a loopback address (`127.0.0.1:`, `[::1]:`, `localhost`) or to one specific
interface address, `expose:`, and host IPs chosen by a variable without a public default
(`${BIND_IP}:5432:5432`).

## How to suppress

`# prodlint-ignore DC101: public reverse proxy` on the line above the entry.

## References

- https://docs.docker.com/network/packet-filtering-firewalls/
- https://docs.docker.com/reference/compose-file/services/#ports
"""

from linter.compose import compose_of, is_internal_service
from linter.registry import rule


@rule(
    code="DC101",
    slug="port-exposed-all-interfaces",
    level="warning",
    cwe=668,
    summary="Published port listens on every network interface",
    target="compose",
    security_severity=7.5,
    tags=("security", "docker-compose", "network"),
)
def check(ctx):
    compose = compose_of(ctx)
    if compose is None:
        return
    for service in compose.services:
        if service.data.get("network_mode") not in (None, "bridge"):
            continue  # host / container networking ignores `ports:` (DC104 reports host mode)
        internal = is_internal_service(service)
        for port in service.ports():
            if not port.all_interfaces:
                continue
            shown = f"{port.published}:{port.target}" if port.published else port.target
            where = "a random host port" if port.published is None else f"host port {port.published}"
            if internal:
                message = (
                    f"service `{service.name}` publishes `{shown}` on every interface ({where}): a data or internal service "
                    "reachable from the internet, past the host firewall; bind it to `127.0.0.1:` or remove the port"
                )
            else:
                message = (
                    f"service `{service.name}` publishes `{shown}` on every interface ({where}), past the host firewall; "
                    "bind it to `127.0.0.1:` unless it must face the internet"
                )
            yield ctx.report(port.route, message, level="error" if internal else "warning")
