"""Docker Compose semantics on top of `linter.yamlscan`: services, ports, environment,
interpolation, volumes, resource limits, the `depends_on` graph and override pairing.

Rules ask this model instead of reading raw YAML:

    compose = compose_of(ctx)            # ComposeFile of a YamlContext (cached), None if not compose
    for service in compose.services:     # Service(name, data, route)
        service.image, service.image_ref (ImageRef: name, tag, digest, variable)
        service.ports()                  # [Port(host_ip, published, target, protocol, route, long)]
        service.environment()            # [EnvVar(name, value, route, span)] from map or `KEY=value` list
        service.build_args()             # the same for `build.args`
        service.volumes()                # [Volume(source, target, route, long)]
        service.memory_limit / cpu_limit # deploy.resources.limits or legacy mem_limit / cpus
        service.healthcheck              # True, False (none or disabled)
        service.depends_on()             # [Dependency(name, condition, route)] short and long form
    compose.graph                        # networkx DiGraph, edge a -> b when a depends_on b

`interpolations(text)` parses `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
`${VAR?err}`, `${VAR:+alt}`, `$VAR` (and skips `$$`).

Override pairing, the way `docker compose` does it: `docker-compose.override.y?ml` is merged
into `docker-compose.y?ml` of the same folder and `compose.override.y?ml` into `compose.y?ml`;
other files stand alone unless the config pairs them (`compose-overrides = { "base glob" =
["override glob", ...] }`). Files are never read twice: `collect_facts(ctx)` returns a plain
summary of each compose file (services with their key `Location`, limits, healthcheck,
dependencies) for project rules (DC102, DC107), which merge a base with its overrides in
phase 2 with `merged_projects(index_facts, config)`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linter.config import path_matches
from linter.yamlscan import YamlContext, is_override_name

if TYPE_CHECKING:
    import networkx as nx

Route = tuple

# --- interpolation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Interpolation:
    name: str
    op: str  # "", ":-", "-", ":?", "?", ":+", "+"
    argument: str  # default, error message or alternative
    start: int  # offsets in the string, `${` .. `}`
    end: int
    argument_start: int = -1

    @property
    def default(self) -> str | None:
        return self.argument if self.op in (":-", "-") else None

    @property
    def required(self) -> bool:
        return self.op in (":?", "?")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolations(text: str) -> list[Interpolation]:
    found: list[Interpolation] = []
    index = 0
    while True:
        index = text.find("$", index)
        if index == -1 or index + 1 >= len(text):
            return found
        following = text[index + 1]
        if following == "$":
            index += 2
            continue
        if following == "{":
            depth, cursor = 1, index + 2
            while cursor < len(text) and depth:
                if text.startswith("${", cursor):
                    depth += 1
                    cursor += 2
                    continue
                if text[cursor] == "}":
                    depth -= 1
                cursor += 1
            if depth:
                return found
            inner = text[index + 2 : cursor - 1]
            name = _NAME.match(inner)
            if name:
                rest = inner[name.end() :]
                op = next((o for o in (":-", ":?", ":+", "-", "?", "+") if rest.startswith(o)), "")
                argument = rest[len(op) :] if op else ""
                arg_start = index + 2 + name.end() + len(op)
                found.append(Interpolation(name.group(), op, argument, index, cursor, arg_start if op else -1))
            index = cursor
            continue
        name = _NAME.match(text, index + 1)
        if name:
            found.append(Interpolation(name.group(), "", "", index, name.end()))
            index = name.end()
            continue
        index += 1


def is_variable(text: str) -> bool:
    """Whether the string holds any interpolation."""
    return bool(interpolations(text))


def split_outside_braces(text: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, []
    index = 0
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            current.append("${")
            index += 2
            continue
        char = text[index]
        if char == "}" and depth:
            depth -= 1
        if char == separator and not depth:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


# --- images ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRef:
    raw: str
    name: str
    tag: str
    digest: str
    variable: bool  # interpolation anywhere in the reference

    @classmethod
    def parse(cls, raw: str) -> "ImageRef":
        text = raw.strip()
        variable = is_variable(text)
        digest = ""
        if "@" in text and not variable:
            text, _, digest = text.partition("@")
        elif "@sha256:" in text:
            text, _, digest = text.partition("@")
        last = split_outside_braces(text, "/")[-1]
        tag = ""
        pieces = split_outside_braces(last, ":")
        if len(pieces) > 1:
            tag = pieces[-1]
            text = text[: len(text) - len(tag) - 1]
        return cls(raw, text, tag, digest, variable)

    @property
    def base_name(self) -> str:
        return self.name.rsplit("/", 1)[-1].lower()


# --- ports -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Port:
    host_ip: str | None  # None: every interface
    published: str | None  # None: a random host port (or none, for a container port only)
    target: str
    protocol: str
    route: Route
    long: bool
    raw: Any = None

    @property
    def all_interfaces(self) -> bool:
        return host_ip_is_public(self.host_ip)


_LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost|0:0:0:0:0:0:0:1)$", re.I)


def host_ip_is_public(host_ip: str | None) -> bool:
    """Whether a published port with this host IP listens on every interface."""
    if host_ip is None:
        return True
    ip = host_ip.strip().strip("[]")
    if ip in ("", "0.0.0.0", "::", "*"):
        return True
    found = interpolations(ip)
    if found:
        default = found[0].default
        # `${BIND_IP:-0.0.0.0}` is public by default; `${BIND_IP}` / loopback default: not ours to guess
        return default is not None and default.strip("[]") in ("0.0.0.0", "::", "")
    return False


def parse_short_port(value: Any) -> tuple[str | None, str | None, str, str] | None:
    """`"127.0.0.1:5432:5432"`, `"8000-8010:8000-8010"`, `"[::1]:80:80"`, `"6379/udp"`, `80`
    -> (host_ip, published, target, protocol)."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    protocol = "tcp"
    pieces = split_outside_braces(text, "/")
    if len(pieces) == 2 and pieces[1].strip().isalpha():
        text, protocol = pieces[0], pieces[1].strip().lower()
    host_ip = None
    if text.startswith("["):
        close = text.find("]")
        if close == -1:
            return None
        host_ip, text = text[: close + 1], text[close + 1 :].lstrip(":")
        parts = split_outside_braces(text, ":")
        if len(parts) == 1:
            return host_ip, None, parts[0], protocol
        return host_ip, parts[0] or None, parts[-1], protocol
    parts = split_outside_braces(text, ":")
    if len(parts) == 1:
        return None, None, parts[0], protocol
    if len(parts) == 2:
        found = interpolations(parts[0])
        if found and found[0].start == 0 and found[0].end == len(parts[0]) and found[0].default is None:
            # `$BIND:80`: the variable may hold `IP:PORT`; its host IP is not ours to guess
            return "$" + found[0].name, parts[0], parts[1], protocol
        return None, parts[0] or None, parts[1], protocol
    if len(parts) == 3:
        return parts[0], parts[1] or None, parts[2], protocol
    # an unbracketed IPv6 address: everything before the last two parts
    return ":".join(parts[:-2]), parts[-2] or None, parts[-1], protocol


# --- environment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None  # None: passed through from the shell (`- KEY` or `KEY:` with no value)
    route: Route  # of the value (map form) or of the list item (list form)
    span: tuple[int, int] | None = None  # the value's offsets inside a `KEY=value` list item
    literal: Any = None  # the value as loaded (int/bool stay typed)


def env_entries(value: Any, route: Route) -> list[EnvVar]:
    out: list[EnvVar] = []
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, (dict, list)):
                continue  # not a value compose accepts
            text = None if item is None else (str(item).lower() if isinstance(item, bool) else str(item))
            out.append(EnvVar(str(name), text, route + (name,), None, item))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                continue
            name, sep, text = item.partition("=")
            name = name.strip()
            if not name:
                continue
            start = item.index("=") + 1 if sep else None
            out.append(EnvVar(name, text if sep else None, route + (index,), (start, len(item)) if sep else None, text if sep else None))
    return out


# --- volumes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    source: str | None
    target: str | None
    route: Route
    long: bool


def parse_volume(value: Any, route: Route) -> Volume | None:
    if isinstance(value, str):
        parts = split_outside_braces(value, ":")
        if len(parts) == 1:
            return Volume(None, parts[0], route, False)
        return Volume(parts[0], parts[1], route, False)
    if isinstance(value, dict):
        source = value.get("source")
        target = value.get("target")
        return Volume(str(source) if source is not None else None, str(target) if target is not None else None, route, True)
    return None


# --- services ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    name: str
    condition: str
    route: Route  # the entry: list item or mapping key
    long: bool
    required: bool = True  # long form `required: false`: compose only warns when it is missing


def _limits(data: dict) -> dict:
    deploy = data.get("deploy")
    if not isinstance(deploy, dict):
        return {}
    resources = deploy.get("resources")
    if not isinstance(resources, dict):
        return {}
    limits = resources.get("limits")
    return limits if isinstance(limits, dict) else {}


def _set(value: Any) -> bool:
    return value is not None and value != "" and value is not False


@dataclass
class Service:
    name: str
    data: dict
    route: Route

    @property
    def image(self) -> str | None:
        value = self.data.get("image")
        return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None

    @property
    def image_ref(self) -> ImageRef | None:
        return ImageRef.parse(self.image) if self.image else None

    @property
    def build(self) -> Any:
        return self.data.get("build")

    @property
    def memory_limit(self) -> bool:
        return _set(_limits(self.data).get("memory")) or _set(self.data.get("mem_limit"))

    @property
    def cpu_limit(self) -> bool:
        return _set(_limits(self.data).get("cpus")) or _set(self.data.get("cpus")) or _set(self.data.get("cpu_quota"))

    @property
    def healthcheck(self) -> bool:
        check = self.data.get("healthcheck")
        if not isinstance(check, dict):
            return False
        if check.get("disable") is True:
            return False
        test = check.get("test")
        if test == "NONE" or (isinstance(test, list) and test[:1] == ["NONE"]):
            return False
        return test is not None or bool(check)

    def ports(self) -> list[Port]:
        value = self.data.get("ports")
        out: list[Port] = []
        if not isinstance(value, list):
            return out
        for index, item in enumerate(value):
            route = self.route + ("ports", index)
            if isinstance(item, dict):
                target = item.get("target")
                if target is None:
                    continue
                host_ip = item.get("host_ip")
                published = item.get("published")
                out.append(Port(None if host_ip is None else str(host_ip), None if published is None else str(published), str(target),
                                str(item.get("protocol") or "tcp"), route, True, item))
            else:
                parsed = parse_short_port(item)
                if parsed is not None:
                    out.append(Port(parsed[0], parsed[1], parsed[2], parsed[3], route, False, item))
        return out

    def environment(self) -> list[EnvVar]:
        return env_entries(self.data.get("environment"), self.route + ("environment",))

    def build_args(self) -> list[EnvVar]:
        build = self.data.get("build")
        if not isinstance(build, dict):
            return []
        return env_entries(build.get("args"), self.route + ("build", "args"))

    def volumes(self) -> list[Volume]:
        value = self.data.get("volumes")
        if not isinstance(value, list):
            return []
        return [v for index, item in enumerate(value) if (v := parse_volume(item, self.route + ("volumes", index))) is not None]

    def depends_on(self) -> list[Dependency]:
        value = self.data.get("depends_on")
        route = self.route + ("depends_on",)
        out: list[Dependency] = []
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    out.append(Dependency(item, "service_started", route + (index,), False))
        elif isinstance(value, dict):
            for name, item in value.items():
                condition = "service_started"
                required = True
                if isinstance(item, dict):
                    if isinstance(item.get("condition"), str):
                        condition = item["condition"]
                    required = item.get("required") is not False and str(item.get("required")).lower() != "false"
                out.append(Dependency(str(name), condition, route + (name,), True, required))
        return out

    @property
    def extends(self) -> tuple[str | None, str] | None:
        """(file or None for this file, service) of `extends:`."""
        value = self.data.get("extends")
        if isinstance(value, str):
            return None, value
        if isinstance(value, dict) and isinstance(value.get("service"), str):
            file = value.get("file")
            return (str(file) if isinstance(file, str) else None), value["service"]
        return None


@dataclass
class ComposeFile:
    data: dict
    services: list[Service] = field(default_factory=list)

    @classmethod
    def load(cls, data: Any) -> "ComposeFile | None":
        if not isinstance(data, dict):
            return None
        compose = cls(data)
        services = data.get("services")
        if isinstance(services, dict):
            compose.services = [Service(str(name), body, ("services", name)) for name, body in services.items() if isinstance(body, dict)]
        return compose

    def service(self, name: str) -> Service | None:
        return next((service for service in self.services if service.name == name), None)

    @property
    def names(self) -> set[str]:
        return {service.name for service in self.services}

    @property
    def graph(self) -> "nx.DiGraph":
        """Edge a -> b when service a depends_on b."""
        import networkx as nx  # imported when needed: it costs ~0.1 s at start-up

        graph = nx.DiGraph()
        for service in self.services:
            graph.add_node(service.name)
            for dependency in service.depends_on():
                graph.add_edge(service.name, dependency.name)
        return graph


def compose_of(ctx) -> ComposeFile | None:
    """The compose model of a YAML rule's context, built once per document."""
    cached = ctx.__dict__.get("_compose_view", False)
    if cached is not False:
        return cached
    view = ComposeFile.load(getattr(ctx, "data", None)) if getattr(ctx, "kind", "") == "compose" else None
    ctx.__dict__["_compose_view"] = view
    return view


# --- data and internal services ----------------------------------------------------------------

_INTERNAL = re.compile(
    r"redis|valkey|keydb|dragonfly|postgres|postgis|timescale|pgvector|mysql|mariadb|percona|mongo|elasticsearch|opensearch|"
    r"memcache|rabbitmq|kafka|zookeeper|etcd|minio|clickhouse|cassandra|scylla|adminer|pgadmin|phpmyadmin|prometheus|grafana|"
    r"loki|influxdb|couchdb|neo4j|nats|mssql|sqlserver|oracle|cockroach|qdrant|weaviate|meilisearch|typesense|vault|consul|"
    r"mailhog|mailpit|redpanda|jaeger|alertmanager|portainer|kibana|solr|zipkin|temporal",
    re.I,
)


def is_internal_service(service: Service) -> bool:
    """A data store, queue, admin UI or monitoring backend: never meant for the internet."""
    ref = service.image_ref
    if ref is not None and _INTERNAL.search(ref.name):
        return True
    return bool(_INTERNAL.search(service.name))


# --- facts for project rules and override pairing ----------------------------------------------


def collect_facts(ctx) -> dict | None:
    """Plain-data summary of one compose document for DC102/DC107 (cached per context)."""
    if not isinstance(ctx, YamlContext) or ctx.kind != "compose":
        return None
    cached = ctx.__dict__.get("_compose_facts", False)
    if cached is not False:
        return cached
    compose = compose_of(ctx)
    facts = None
    if compose is not None and compose.services:
        services = {}
        for service in compose.services:
            services[service.name] = {
                "key": ctx.location_of(service.route, key=True),
                "mem": service.memory_limit,
                "cpu": service.cpu_limit,
                "healthcheck": service.healthcheck,
                "healthcheck_set": "healthcheck" in service.data,
                "extends": service.extends,
                "build": service.build is not None,
                "runnable": service.build is not None or service.image is not None or service.extends is not None,
                "depends": [
                    (dep.name, dep.condition, ctx.location_of(dep.route, key=dep.long), dep.required) for dep in service.depends_on()
                ],
            }
        facts = {"services": services, "include": "include" in compose.data}
    ctx.__dict__["_compose_facts"] = facts
    return facts


def base_of_override(path: str, config) -> list[str]:
    """Candidate base files an override file is merged into (never itself)."""
    folder, name = posixpath.split(path)
    bases = []
    if is_override_name(path):
        stem = name.split(".override.", 1)[0]
        bases += [posixpath.join(folder, f"{stem}.{ext}") for ext in ("yml", "yaml")]
        # docker compose reads whichever default override file exists next to the default file it picked
        bases += [posixpath.join(folder, other) for other in ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")]
    return [base for index, base in enumerate(bases) if base not in bases[:index]]


def merged_projects(all_facts: dict[str, Any], config) -> list[dict]:
    """Group compose files into projects: a base with the override files docker compose (or
    the config) merges into it. Each project: {"base": path, "files": [paths in merge
    order], "services": {name: {"key": Location of the base-most definition, "mem", "cpu",
    "healthcheck", "depends": [...], "extends", "build", "files": [...]}}, "include": bool}.
    Override files whose base is not among the scanned files stand alone, marked `override`."""
    facts: dict[str, list[dict]] = {}
    for path, value in all_facts.items():
        items = value if isinstance(value, list) else [value]
        facts[path] = [item for item in items if isinstance(item, dict)]
    overrides_of: dict[str, list[str]] = {path: [] for path in facts}
    attached: set[str] = set()
    for path in sorted(facts):
        for base in base_of_override(path, config):
            if base in facts and base != path:
                overrides_of[base].append(path)
                attached.add(path)
                break
    for base_glob, override_globs in (getattr(config, "compose_overrides", {}) or {}).items():
        for base in sorted(facts):
            if not path_matches(base, base_glob):
                continue
            for glob in override_globs:
                for path in sorted(facts):
                    if path != base and path_matches(path, glob) and path not in overrides_of[base]:
                        overrides_of[base].append(path)
                        attached.add(path)
    configured_overrides = {path for path in facts for globs in (getattr(config, "compose_overrides", {}) or {}).values() for glob in globs if path_matches(path, glob)}
    projects = []
    for path in sorted(facts):
        if path in attached:
            continue
        files = [path] + overrides_of[path]
        services: dict[str, dict] = {}
        include = False
        for file in files:
            for item in facts[file]:
                include = include or item.get("include", False)
                for name, service in item.get("services", {}).items():
                    merged = services.get(name)
                    if merged is None:
                        services[name] = dict(service, depends=list(service["depends"]), files=[file])
                        continue
                    merged["mem"] = merged["mem"] or service["mem"]
                    merged["cpu"] = merged["cpu"] or service["cpu"]
                    if service.get("healthcheck_set"):
                        merged["healthcheck"] = service["healthcheck"]
                    merged["extends"] = merged["extends"] or service["extends"]
                    merged["build"] = merged["build"] or service["build"]
                    merged["runnable"] = merged.get("runnable", True) or service.get("runnable", True)
                    merged["depends"] += service["depends"]
                    merged["files"].append(file)
        # a file whose services lack `image`/`build`/`extends` is a fragment meant for `-f base -f this`
        fragment = any(not service.get("runnable", True) for service in services.values())
        alone_override = is_override_name(path) or path in configured_overrides or fragment
        projects.append({"base": path, "files": files, "services": services, "include": include, "override": alone_override})
    return projects


def resolve_extends(project: dict, name: str, projects_by_file: dict[str, dict], attribute: str, seen: frozenset = frozenset()) -> bool | None:
    """The value of a boolean service attribute, following `extends` (None when unknown)."""
    service = project["services"].get(name)
    if service is None or (project["base"], name) in seen:
        return None
    if service[attribute]:
        return True
    extends = service.get("extends")
    if not extends:
        return False
    file, parent = extends
    seen = seen | {(project["base"], name)}
    if file is None:
        return resolve_extends(project, parent, projects_by_file, attribute, seen)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(project["base"]), file))
    other = projects_by_file.get(target)
    if other is None:
        return None
    return resolve_extends(other, parent, projects_by_file, attribute, seen)


__all__ = [
    "ComposeFile", "Service", "Port", "EnvVar", "Volume", "Dependency", "ImageRef", "Interpolation",
    "compose_of", "interpolations", "is_variable", "parse_short_port", "host_ip_is_public", "env_entries",
    "parse_volume", "is_internal_service", "collect_facts", "merged_projects", "resolve_extends",
]
