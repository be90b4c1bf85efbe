"""A typed view of GitHub Actions workflows and composite actions, and the `${{ }}` language.

Rules ask questions of this model instead of walking raw YAML: which jobs deploy, which
steps run which scripts, which context paths an expression reads. Every object carries its
*route* (the keys and indexes from the document root, `("jobs", "build", "steps", 2, "run")`)
so a rule reports through `ctx.report(route, ...)` and never counts lines itself.

Expressions are parsed, not grepped: `find_expressions(text)` finds each `${{ … }}` in a
string (honouring `'…'` string literals, so `'}}'` inside one does not end it), and
`parse_expression(source)` turns its inside into a small tree of `Literal`, `Context`,
`Property`, `Index`, `Star` (the `.*` object filter), `Call`, `Unary` and `Binary` nodes.
`read_paths(node)` lists the context paths an expression reads (`github.event.issue.title`,
`github.event.commits.*.message`), and `value_paths(node)` only those whose value can end up
in the expression's result: `contains(github.event.issue.title, 'x')` reads the title but
yields a boolean, `github.event.issue.title || 'none'` may yield the title itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import networkx as nx

Route = tuple

# --- the expression language ---------------------------------------------------------------


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, op, punct, end
    value: Any
    start: int
    end: int


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>0x[0-9a-fA-F]+|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!])
  | (?P<punct>[.\[\](),*])
    """,
    re.X,
)
_KEYWORDS = {"true": True, "false": False, "null": None, "NaN": float("nan"), "Infinity": float("inf")}


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            raise ExpressionError(f"unexpected character {source[pos]!r} at {pos}")
        kind = match.lastgroup
        text = match.group()
        if kind == "string":
            tokens.append(Token("string", text[1:-1].replace("''", "'"), pos, match.end()))
        elif kind == "number":
            value = int(text, 16) if text.lower().startswith("0x") else float(text)
            tokens.append(Token("number", value, pos, match.end()))
        elif kind in ("name", "op", "punct"):
            tokens.append(Token(kind, text, pos, match.end()))
        pos = match.end()
    tokens.append(Token("end", None, len(source), len(source)))
    return tokens


@dataclass(frozen=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True)
class Context(Node):
    name: str


@dataclass(frozen=True)
class Property(Node):
    object: Node
    name: str


@dataclass(frozen=True)
class Index(Node):
    object: Node
    index: Node


@dataclass(frozen=True)
class Star(Node):
    """`.*` or `[*]`: the object filter, every element or property value."""

    object: Node


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


# Lowest to highest; all left-associative.
_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, value: str) -> Token:
        token = self.take()
        if token.value != value or token.kind not in ("punct", "op"):
            raise ExpressionError(f"expected {value!r} at {token.start}, found {token.value!r}")
        return token

    def parse(self) -> Node:
        node = self.binary(1)
        if self.peek().kind != "end":
            raise ExpressionError(f"unexpected {self.peek().value!r} at {self.peek().start}")
        return node

    def binary(self, level: int) -> Node:
        if level > 4:
            return self.unary()
        left = self.binary(level + 1)
        while self.peek().kind == "op" and _PRECEDENCE.get(self.peek().value) == level:
            op = self.take().value
            right = self.binary(level + 1)
            left = Binary(left.start, right.end, op, left, right)
        return left

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.value == "!":
            self.take()
            operand = self.unary()
            return Unary(token.start, operand.end, "!", operand)
        return self.postfix(self.primary())

    def primary(self) -> Node:
        token = self.take()
        if token.kind in ("string", "number"):
            return Literal(token.start, token.end, token.value)
        if token.kind == "punct" and token.value == "(":
            inner = self.binary(1)
            close = self.expect(")")
            return _with_span(inner, token.start, close.end)
        if token.kind == "name":
            if token.value in _KEYWORDS:
                return Literal(token.start, token.end, _KEYWORDS[token.value])
            if self.peek().kind == "punct" and self.peek().value == "(":
                self.take()
                args: list[Node] = []
                if not (self.peek().kind == "punct" and self.peek().value == ")"):
                    args.append(self.binary(1))
                    while self.peek().kind == "punct" and self.peek().value == ",":
                        self.take()
                        args.append(self.binary(1))
                close = self.expect(")")
                return Call(token.start, close.end, token.value, tuple(args))
            return Context(token.start, token.end, token.value)
        raise ExpressionError(f"unexpected {token.value!r} at {token.start}")

    def postfix(self, node: Node) -> Node:
        while True:
            token = self.peek()
            if token.kind == "punct" and token.value == ".":
                self.take()
                name = self.take()
                if name.kind == "punct" and name.value == "*":
                    node = Star(node.start, name.end, node)
                elif name.kind == "name":
                    node = Property(node.start, name.end, node, name.value)
                elif name.kind == "number" and isinstance(name.value, float) and name.value.is_integer():
                    node = Index(node.start, name.end, node, Literal(name.start, name.end, name.value))
                else:
                    raise ExpressionError(f"expected a property name at {name.start}")
            elif token.kind == "punct" and token.value == "[":
                self.take()
                if self.peek().kind == "punct" and self.peek().value == "*":
                    self.take()
                    close = self.expect("]")
                    node = Star(node.start, close.end, node)
                else:
                    index = self.binary(1)
                    close = self.expect("]")
                    node = Index(node.start, close.end, node, index)
            else:
                return node


def _with_span(node: Node, start: int, end: int) -> Node:
    from dataclasses import replace

    return replace(node, start=start, end=end)


def parse_expression(source: str) -> Node:
    """Parse the inside of `${{ … }}` (or an `if:` condition) into a tree; ExpressionError if invalid."""
    return _Parser(source).parse()


def path_of(node: Node) -> str | None:
    """`github.event.issue.title` for a property chain rooted in a context; `*` stands for any
    element (`.*`, `[*]`, or an index that is not a string literal). None for anything else."""
    if isinstance(node, Context):
        return node.name.lower()
    if isinstance(node, Property):
        base = path_of(node.object)
        return None if base is None else f"{base}.{node.name.lower()}"
    if isinstance(node, Star):
        base = path_of(node.object)
        return None if base is None else f"{base}.*"
    if isinstance(node, Index):
        base = path_of(node.object)
        if base is None:
            return None
        if isinstance(node.index, Literal) and isinstance(node.index.value, str):
            return f"{base}.{node.index.value.lower()}"
        return f"{base}.*"
    return None


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Property, Star)):
        return (node.object,)
    if isinstance(node, Index):
        return (node.object, node.index)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def read_paths(node: Node) -> list[str]:
    """Every context path the expression reads, longest form only (`github.event.issue.title`,
    not also `github.event`); paths inside index expressions count too."""
    path = path_of(node)
    if path is not None:
        found = [path]
        inner = node
        while isinstance(inner, (Property, Index, Star)):
            if isinstance(inner, Index):
                found += read_paths(inner.index)
            inner = inner.object
        return found
    return [p for child in children(node) for p in read_paths(child)]


# Functions whose result carries (part of) their arguments' text.
_PASSING_FUNCTIONS = {"format", "join", "tojson", "fromjson"}


def value_paths(node: Node) -> list[tuple[str, Node, bool]]:
    """Context paths whose value can flow into the expression's result, as (path, node, whole)
    where `whole` says the value is serialised whole (`toJSON(github.event)`)."""
    path = path_of(node)
    if path is not None:
        return [(path, node, False)]
    if isinstance(node, Call):
        name = node.name.lower()
        if name not in _PASSING_FUNCTIONS:
            return []
        found = []
        for arg in node.args:
            found += [(p, n, whole or name in ("tojson", "join")) for p, n, whole in value_paths(arg)]
        return found
    if isinstance(node, Binary):
        if node.op == "||":
            return value_paths(node.left) + value_paths(node.right)
        if node.op == "&&":
            # `a && b` yields b, or a falsy a ('' / 0 / null) that carries nothing.
            return value_paths(node.right)
        return []  # comparisons yield booleans
    return []  # literals, `!x`


@dataclass(frozen=True)
class Expression:
    """One `${{ … }}` inside a string: offsets are code points into that string."""

    start: int  # at `$`
    end: int  # after `}}`
    inner_start: int
    source: str  # what is between the braces
    node: Node | None  # None when it does not parse

    def read_paths(self) -> list[str]:
        return read_paths(self.node) if self.node is not None else []

    def value_paths(self) -> list[tuple[str, Node, bool]]:
        return value_paths(self.node) if self.node is not None else []


def find_expressions(text: str) -> list[Expression]:
    found: list[Expression] = []
    pos = 0
    while True:
        start = text.find("${{", pos)
        if start < 0:
            return found
        index = start + 3
        quoted = False
        end = -1
        while index < len(text):
            char = text[index]
            if char == "'":
                quoted = not quoted  # `''` inside a string toggles twice: still inside
            elif not quoted and text.startswith("}}", index):
                end = index
                break
            index += 1
        if end < 0:
            return found
        source = text[start + 3 : end]
        try:
            stripped = source.strip()
            offset = start + 3 + (len(source) - len(source.lstrip()))
            node = _shift(parse_expression(stripped), offset) if stripped else None
        except (ExpressionError, RecursionError):
            node = None
        found.append(Expression(start, end + 2, start + 3, source, node))
        pos = end + 2


def _shift(node: Node, offset: int) -> Node:
    """Offsets relative to the enclosing string rather than to the expression's inside."""
    from dataclasses import fields, replace

    changes: dict[str, Any] = {"start": node.start + offset, "end": node.end + offset}
    for item in fields(node):
        value = getattr(node, item.name)
        if isinstance(value, Node):
            changes[item.name] = _shift(value, offset)
        elif isinstance(value, tuple) and value and isinstance(value[0], Node):
            changes[item.name] = tuple(_shift(child, offset) for child in value)
    return replace(node, **changes)


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and "${{" in value


def matches_path(path: str, pattern: str) -> bool:
    """`github.event.commits.*.message` matches pattern `github.event.commits.*.message`; a `*`
    in the path (unknown index) matches any single segment of the pattern and vice versa."""
    a = path.split(".")
    b = pattern.split(".")
    if len(a) != len(b):
        return False
    return all(x == y or x == "*" or y == "*" for x, y in zip(a, b))


# Values an outsider chooses: the text of issues, comments, reviews, pull requests, commits,
# branch names and wiki pages (GitHub Security Lab, "Keeping your GitHub Actions and
# workflows secure Part 2: Untrusted input").
ATTACKER_CONTROLLED = (
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.head_commit.committer.email",
    "github.event.head_commit.committer.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.head_ref",
)


def attacker_controlled(path: str, whole: bool = False) -> bool:
    """True for a path in ATTACKER_CONTROLLED; with `whole` (serialised by `toJSON`), also for
    an object that contains one (`github.event.issue`, `github.event`)."""
    for pattern in ATTACKER_CONTROLLED:
        if matches_path(path, pattern):
            return True
        if whole:
            parts, wanted = path.split("."), pattern.split(".")
            if len(parts) < len(wanted) and matches_path(path, ".".join(wanted[: len(parts)])) and len(parts) >= 2:
                return True
    return False


# --- the workflow model --------------------------------------------------------------------


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


@dataclass
class Uses:
    """A parsed `uses:` value."""

    raw: str
    kind: str  # local | docker | action | workflow | invalid
    owner: str = ""
    repo: str = ""
    path: str = ""  # sub-folder of an action, or `.github/workflows/x.yml` of a reusable workflow
    ref: str = ""

    @classmethod
    def parse(cls, raw: str) -> "Uses":
        raw = raw.strip()
        if raw.startswith("./") or raw.startswith("../") or raw == ".":
            return cls(raw, "local", path=raw)
        if raw.startswith("docker://"):
            image = raw[len("docker://") :]
            ref = ""
            if "@" in image:
                ref = image.split("@", 1)[1]
            return cls(raw, "docker", path=image, ref=ref)
        name, at, ref = raw.partition("@")
        parts = name.split("/")
        if len(parts) < 2 or not all(parts[:2]) or (at and not ref) or re.search(r"\s", name):
            return cls(raw, "invalid")
        path = "/".join(parts[2:])
        kind = "workflow" if re.search(r"\.ya?ml$", path) else "action"
        return cls(raw, kind, owner=parts[0], repo=parts[1], path=path, ref=ref)

    @property
    def name(self) -> str:
        """`owner/repo` or `owner/repo/path`, lower case, without the ref."""
        return "/".join(part for part in (self.owner, self.repo, self.path) if part).lower()

    @property
    def action(self) -> str:
        """`owner/repo`, lower case."""
        return f"{self.owner}/{self.repo}".lower()

    def is_action(self, *names: str) -> bool:
        """Same action as any of `names`; an `owner/repo` name matches its sub-actions too
        (`github/codeql-action` matches `github/codeql-action/analyze`)."""
        if self.kind not in ("action", "workflow"):
            return False
        for name in names:
            wanted = name.lower()
            if self.name == wanted or (wanted.count("/") == 1 and self.action == wanted):
                return True
        return False

    @property
    def pinned(self) -> bool:
        if self.kind == "docker":
            return self.ref.startswith("sha256:")
        return bool(re.fullmatch(r"[0-9a-fA-F]{40}", self.ref))


@dataclass
class Permissions:
    value: Any  # "read-all" | "write-all" | mapping scope -> level | None for `permissions: {}`
    route: Route

    @property
    def write_all(self) -> bool:
        return isinstance(self.value, str) and self.value.strip().lower() == "write-all"

    def writes(self) -> list[str]:
        """Scopes granted `write` (all of them for `write-all`)."""
        if self.write_all:
            return ["*"]
        return [str(scope) for scope, level in _mapping(self.value).items() if isinstance(level, str) and level.strip().lower() == "write"]


@dataclass
class Step:
    index: int
    data: dict
    route: Route
    job: "Job"

    @property
    def name(self) -> str:
        return _text(self.data.get("name")) or ""

    @property
    def id(self) -> str:
        return _text(self.data.get("id")) or ""

    @property
    def label(self) -> str:
        """What people call the step: its name, id, action or first script line."""
        if self.name:
            return self.name
        if self.uses is not None:
            return self.uses.raw
        if self.run:
            return self.run.strip().splitlines()[0][:60] if self.run.strip() else "run"
        return f"step {self.index + 1}"

    @property
    def uses(self) -> Uses | None:
        raw = self.data.get("uses")
        return Uses.parse(raw) if isinstance(raw, str) else None

    @property
    def run(self) -> str | None:
        value = self.data.get("run")
        return value if isinstance(value, str) else None

    @property
    def with_(self) -> dict:
        return _mapping(self.data.get("with"))

    @property
    def env(self) -> dict:
        return _mapping(self.data.get("env"))

    @property
    def continue_on_error(self) -> Any:
        return self.data.get("continue-on-error")

    def key_route(self, key: str) -> Route:
        return self.route + (key,)


@dataclass
class Service:
    name: str
    data: dict
    route: Route

    @property
    def image(self) -> str:
        return _text(self.data.get("image")) or ""

    @property
    def env(self) -> dict:
        return _mapping(self.data.get("env"))


@dataclass
class Job:
    id: str
    data: dict
    route: Route
    workflow: "Workflow"
    steps: list[Step] = field(default_factory=list)

    @property
    def name(self) -> str:
        return _text(self.data.get("name")) or self.id

    @property
    def uses(self) -> Uses | None:
        """The reusable workflow this job calls (`jobs.<id>.uses`)."""
        raw = self.data.get("uses")
        return Uses.parse(raw) if isinstance(raw, str) else None

    @property
    def with_(self) -> dict:
        return _mapping(self.data.get("with"))

    @property
    def env(self) -> dict:
        return _mapping(self.data.get("env"))

    @property
    def environment(self) -> Any:
        """The `environment:` value (a name, a mapping with `name`/`url`, or None)."""
        return self.data.get("environment")

    @property
    def environment_name(self) -> str | None:
        value = self.environment
        if isinstance(value, dict):
            return _text(value.get("name"))
        return _text(value)

    @property
    def permissions(self) -> Permissions | None:
        if "permissions" not in self.data:
            return None
        return Permissions(self.data.get("permissions"), self.route + ("permissions",))

    @property
    def needs(self) -> list[str]:
        value = self.data.get("needs")
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(item) for item in value if isinstance(item, (str, int))]
        return []

    @property
    def services(self) -> list[Service]:
        return [Service(str(name), data, self.route + ("services", name)) for name, data in _mapping(self.data.get("services")).items() if isinstance(data, dict)]

    @property
    def container_image(self) -> str:
        value = self.data.get("container")
        if isinstance(value, dict):
            value = value.get("image")
        return _text(value) or ""

    @property
    def continue_on_error(self) -> Any:
        return self.data.get("continue-on-error")


def trigger_names(value: Any) -> dict[str, Any]:
    """`on:` as a mapping event -> configuration, from its string, list or mapping form."""
    if isinstance(value, str):
        return {value.strip(): None}
    if isinstance(value, list):
        return {str(item).strip(): None for item in value if isinstance(item, str)}
    if isinstance(value, dict):
        return {str(key).strip(): item for key, item in value.items()}
    return {}


@dataclass
class Workflow:
    """A workflow file, or a composite action (`kind == "action"`, its steps under one
    pseudo-job whose id is empty and whose route is `("runs",)`)."""

    data: dict
    kind: str = "workflow"  # workflow | action
    jobs: list[Job] = field(default_factory=list)

    @classmethod
    def load(cls, data: Any, kind: str = "workflow") -> "Workflow | None":
        if not isinstance(data, dict):
            return None
        workflow = cls(data, kind)
        if kind == "action":
            runs = _mapping(data.get("runs"))
            if str(runs.get("using", "")).strip().lower() != "composite":
                return workflow
            job = Job("", runs, ("runs",), workflow)
            job.steps = _steps(runs.get("steps"), ("runs", "steps"), job)
            workflow.jobs.append(job)
            return workflow
        for job_id, job_data in _mapping(data.get("jobs")).items():
            if not isinstance(job_data, dict):
                continue
            job = Job(str(job_id), job_data, ("jobs", job_id), workflow)
            job.steps = _steps(job_data.get("steps"), ("jobs", job_id, "steps"), job)
            workflow.jobs.append(job)
        return workflow

    @property
    def on_key(self) -> Any:
        """The key of the trigger block as written (`on`, or `true` under a YAML 1.1 loader)."""
        for key in self.data:
            if key == "on" or key is True:
                return key
        return None

    @property
    def triggers(self) -> dict[str, Any]:
        key = self.on_key
        return trigger_names(self.data.get(key)) if key is not None else {}

    @property
    def env(self) -> dict:
        return _mapping(self.data.get("env"))

    @property
    def permissions(self) -> Permissions | None:
        if "permissions" not in self.data:
            return None
        return Permissions(self.data.get("permissions"), ("permissions",))

    def job(self, job_id: str) -> Job | None:
        return next((job for job in self.jobs if job.id == job_id), None)

    def steps(self) -> Iterator[Step]:
        for job in self.jobs:
            yield from job.steps

    @property
    def needs_graph(self) -> "nx.DiGraph":
        """Job graph: an edge `a -> b` when job b `needs` a."""
        import networkx as nx  # imported when needed: it costs ~0.1 s at start-up

        graph = nx.DiGraph()
        for job in self.jobs:
            graph.add_node(job.id)
            for need in job.needs:
                graph.add_edge(need, job.id)
        return graph

    def upstream(self, job_id: str) -> set[str]:
        import networkx as nx

        graph = self.needs_graph
        return nx.ancestors(graph, job_id) if job_id in graph else set()


def _steps(value: Any, route: Route, job: Job) -> list[Step]:
    if not isinstance(value, list):
        return []
    return [Step(index, item, route + (index,), job) for index, item in enumerate(value) if isinstance(item, dict)]


# --- shell scripts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One simple command of a `run:` script: its words (quotes removed) and its span."""

    words: tuple[str, ...]
    start: int
    end: int
    text: str
    operator_after: str = ""  # `&&`, `||`, `|`, `;` or newline joining it to the next command


_SEPARATOR = re.compile(r"\|\||&&|;|\||\n|&(?!>)")

_RUNNERS = {"npx", "bunx", "pnpx", "sudo", "time", "exec", "env", "command", "nohup", "xargs"}
_RUNNER_PAIRS = {("pnpm", "dlx"), ("pnpm", "exec"), ("npm", "exec"), ("yarn", "dlx"), ("yarn", "exec"), ("bun", "x"), ("bun", "run"), ("pnpm", "run"), ("npm", "run"), ("yarn", "run")}


def strip_comments(script: str) -> str:
    """Blank out shell comments (`# …` at the start of a word), keeping every offset."""
    out = []
    for line in script.split("\n"):
        quote = ""
        cut = len(line)
        for index, char in enumerate(line):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "#" and (index == 0 or line[index - 1] in " \t;|&("):
                cut = index
                break
        out.append(line[:cut] + " " * (len(line) - cut))
    return "\n".join(out)


def commands(script: str) -> list[Command]:
    """Split a script into simple commands (line continuations joined, comments dropped).
    A shell-aware approximation: good enough to find `vercel deploy --prod` or `audit || true`."""
    text = strip_comments(script).replace("\\\n", "  ")
    found: list[Command] = []
    quote = ""
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            index += 1
            continue
        if char in "'\"":
            quote = char
            index += 1
            continue
        match = _SEPARATOR.match(text, index)
        if match:
            _add_command(found, text, start, index, match.group())
            index = match.end()
            start = index
            continue
        index += 1
    _add_command(found, text, start, len(text), "")
    return found


def _add_command(found: list[Command], text: str, start: int, end: int, operator: str) -> None:
    chunk = text[start:end]
    if not chunk.strip():
        return
    words = tuple(word.strip("'\"") for word in re.findall(r"""'[^']*'|"[^"]*"|\S+""", chunk))
    lead = len(chunk) - len(chunk.lstrip())
    found.append(Command(words, start + lead, start + len(chunk.rstrip()), chunk.strip(), operator))


def program(words: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The program a command runs and its arguments, past `npx`, `pnpm dlx`, `sudo`, `VAR=x`
    prefixes: `npx vercel deploy --prod` -> ("vercel", ("deploy", "--prod"))."""
    rest = list(words)
    while rest:
        head = rest[0]
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", head) or head in _RUNNERS or head == "--":
            rest.pop(0)
            continue
        if head.startswith("-") and len(rest) > 1 and words and words[0] in _RUNNERS:
            rest.pop(0)
            continue
        if len(rest) > 1 and (head, rest[1]) in _RUNNER_PAIRS:
            rest = rest[2:]
            continue
        if head in ("yarn", "pnpm", "bun", "npm") and len(rest) > 1 and not rest[1].startswith("-") and rest[1] not in _PACKAGE_MANAGER_COMMANDS:
            rest.pop(0)  # `yarn vercel --prod` runs the package's binary
            continue
        break
    if not rest:
        return "", ()
    name = rest[0].rsplit("/", 1)[-1]
    name = re.sub(r"@[\w.^~-]+$", "", name)  # `vercel@latest`
    return name, tuple(rest[1:])


_PACKAGE_MANAGER_COMMANDS = {
    "install", "i", "ci", "add", "remove", "audit", "test", "build", "run", "exec", "dlx", "publish", "pack",
    "why", "outdated", "update", "upgrade", "up", "link", "list", "ls", "init", "create", "config", "set",
    "cache", "store", "fetch", "dedupe", "prune", "version", "workspace", "workspaces", "npm", "info", "view",
    "lint", "start", "dev", "rebuild", "help", "x", "login", "logout", "whoami", "deploy", "pm",
}


def positional(args: tuple[str, ...], limit: int = 4) -> list[str]:
    """The first few non-flag arguments (flag values may slip in: callers match membership)."""
    return [arg for arg in args if not arg.startswith("-")][:limit]


# --- finding files on disk -----------------------------------------------------------------


def repo_root_of(path: str) -> str:
    """The repository folder of a workflow (`a/.github/workflows/x.yml` -> `a`), or of an action
    (its own folder)."""
    parts = path.split("/")
    if ".github" in parts:
        index = len(parts) - 1 - parts[::-1].index(".github")
        return "/".join(parts[:index])
    return "/".join(parts[:-1])


def exists_beside(ctx, rel: str) -> bool:
    """Whether `rel` (relative to the scan root, like `ctx.path`) exists on disk. The scan root
    is the config's folder or the working directory; the one holding this file is it."""
    for base in _bases(ctx):
        if (base / rel).exists():
            return True
    return False


def _bases(ctx) -> list:
    from pathlib import Path

    bases = []
    absolute = getattr(ctx, "absolute_path", None) or getattr(getattr(ctx, "source", None), "absolute", None)
    if absolute:
        path = Path(absolute)
        rel_parts = len(Path(ctx.path).parts)
        bases.append(path.parents[rel_parts - 1] if rel_parts >= 1 else path.parent)
    for base in (getattr(ctx.config, "root", None), Path.cwd()):
        if base is not None and (Path(base) / ctx.path).is_file():
            bases.append(Path(base))
    return bases


# --- what a rule sees ------------------------------------------------------------------------


def workflow_of(ctx) -> Workflow | None:
    """The workflow (or composite action) of a YAML rule's context, built once per file."""
    cached = ctx.__dict__.get("_workflow_view", False)
    if cached is not False:
        return cached
    kind = "action" if getattr(ctx, "kind", "") == "action" else "workflow"
    data = None
    for name in ("data", "document", "root"):
        value = getattr(ctx, name, None)
        if isinstance(value, dict):
            data = value
            break
    view = Workflow.load(data, kind) if data is not None else None
    ctx.__dict__["_workflow_view"] = view
    return view
