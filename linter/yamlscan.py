"""YAML files: which ones prodlint reads, how they are loaded, and what a YAML rule sees.

Stable API (compose and workflow rules build on it)
---------------------------------------------------

`select_yaml_targets(targets, config) -> list[Target]`
    Keeps non-YAML targets and the YAML files prodlint reads: compose files, workflows and
    composite actions, decided by `yaml_kind(path, config)` (names and config globs) and,
    for other YAML files, by `looks_like_compose(text)`, a cheap line sniff for a top-level
    `services:` mapping whose entries hold `image:`/`build:` — never a full YAML load.

`analyze_yaml(source, config, rules, result)`
    Loads the file (ruamel.yaml, YAML 1.2: `on:` stays the string `"on"`, `2222:22` is a
    string, `012` is 12, timestamps stay strings), then for every document that is a mapping
    builds a `YamlContext` and runs the rules whose `target` is the file's kind (`compose`,
    `workflow` or `action`; composite actions also run the `workflow` rules, which see
    `ctx.kind == "action"` and decide whether they apply), plus project rules whose `collect` is marked with
    `@yaml_collector("compose", ...)`. Invalid YAML, alias bombs, recursive aliases and
    over-deep nesting each become one `Notice` in `result.notices`; the scan goes on.

`YamlContext` (a `linter.context.Context`)
    `ctx.kind`       "compose" | "workflow" | "action"
    `ctx.data`       the document as plain Python data (dict/list/str/int/float/bool/None),
                     anchors, aliases and merge keys (`<<: *x`, `<<: [*a, *b]`, shallow)
                     resolved; aliases share objects (read-only!)
    `ctx.root`       the ruamel node of the document; `ctx.doc_index`, `ctx.documents`
    `ctx.value_at(route, default=None)`      plain data at a route
    `ctx.node_at(route) -> (key_node, value_node)`  ruamel nodes (None where missing)
    `ctx.has_route(route)`
    `ctx.tag_at(route)`                      explicit tag of the value node (`!reset`, ...)
    `ctx.location_of(route, *, key=False, part=None, span=None) -> Location`
    `ctx.report(route, message, *, key=False, part=None, span=None, level=None, fix=None,
                related=())`
        `route` is a tuple of keys and sequence indexes from the document root, e.g.
        `("services", "redis", "ports", 0)` or `("jobs", "build", "steps", 2, "run")`.
        `key=True` (or `part="key"`) points at the key of the last route element instead of
        its value. `span=(start, end)` is a range of character offsets *inside the loaded
        string value* (what `ctx.value_at(route)` returns): it is mapped to the real line and
        column in the file, inside literal `|` and folded `>` block scalars, quoted scalars
        with escapes and folded plain scalars. A value that is a block mapping/sequence is
        reported on its first line only. A route that does not resolve completely reports at
        the deepest node it reaches. `related` takes routes or Locations. A rule reporting
        the same place twice (an anchor merged into several services) gets one finding.

Positions: ruamel marks count characters of the BOM-less text; they are turned into byte
offsets and handed to `Context.span_location`, so YAML rules never count lines or columns.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.config import Config, path_matches
from linter.context import Context
from linter.finding import FileResult, Location, Notice
from linter.source import SourceFile

MAX_NODES = 200_000  # expanded nodes (aliases counted each time they are used) per document
YAML_KINDS = ("compose", "workflow", "action")

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"

# --- which files -----------------------------------------------------------------------------

_COMPOSE_NAME = re.compile(r"^(docker-compose.*|compose.*|.*\.compose)\.ya?ml$")
_OVERRIDE_NAME = re.compile(r"^(docker-compose|compose)\.override\.ya?ml$")
_ACTION_NAME = re.compile(r"^action\.ya?ml$")


def yaml_kind(path: str, config: Config | None = None) -> str | None:
    """The kind of a YAML file from its path alone: compose, workflow, action or None."""
    parts = path.split("/")
    name = parts[-1]
    if config is not None:
        if any(path_matches(path, glob) for glob in config.compose_files):
            return "compose"
        if any(path_matches(path, glob) for glob in config.workflow_files):
            return "workflow"
        for base, overrides in config.compose_overrides.items():
            if path_matches(path, base) or any(path_matches(path, glob) for glob in overrides):
                return "compose"
    if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows" and name.endswith((".yml", ".yaml")):
        return "workflow"
    if _COMPOSE_NAME.match(name):
        return "compose"
    if _ACTION_NAME.match(name):
        return "action"
    return None


def is_override_name(path: str) -> bool:
    return bool(_OVERRIDE_NAME.match(path.rsplit("/", 1)[-1]))


_TOP_KEY = re.compile(r"^([A-Za-z0-9_.\"'-][^:#]*?)\s*:(\s|$)")
_SERVICE_KEY = re.compile(r"^([ ]+)[\"']?[A-Za-z0-9_.-]+[\"']?\s*:\s*(#.*)?$")
_IMAGE_OR_BUILD = re.compile(r"^[ ]+(image|build)\s*:")


_CI_TOP_KEYS = re.compile(r"^(steps|pipeline|jobs|stages|clone|workspace|matrix|apiVersion|kind)\s*:", re.M)


def looks_like_compose(text: str) -> bool:
    """A cheap line sniff: a top-level `services:` block mapping (not a list, as in GitLab
    CI) whose entries hold `image:` or `build:`, in a file without the top-level keys of a
    CI pipeline (Woodpecker and Drone also have `services:`) or a Kubernetes object. No YAML load."""
    text = text.lstrip("\ufeff")
    if _CI_TOP_KEYS.search(text):
        return False
    lines = text.splitlines()
    inside = False
    first = True
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        if not line[0].isspace():
            if inside:
                inside = False
            if re.match(r"^services\s*:\s*(#.*)?$", line):
                inside, first = True, True
            continue
        if not inside:
            continue
        if first:
            first = False
            if not _SERVICE_KEY.match(line):
                inside = False
                continue
        if _IMAGE_OR_BUILD.match(line):
            return True
    return False


def select_yaml_targets(targets: list, config: Config) -> list:
    """Keep TS/JS targets and the YAML files prodlint reads (see the module docstring)."""
    kept = []
    for target in targets:
        if target.kind != "yaml":
            kept.append(target)
            continue
        if yaml_kind(target.rel, config) or yaml_kind(target.scope):
            kept.append(target)
            continue
        try:
            if target.path.stat().st_size > config.max_file_size:
                continue
            with open(target.path, "rb") as handle:
                head = handle.read(262_144)
        except OSError:
            continue
        if b"services" in head and looks_like_compose(head.decode("utf-8", errors="replace")):
            kept.append(target)
    return kept


def file_kind(source: SourceFile, config: Config) -> str | None:
    kind = yaml_kind(source.path, config) or yaml_kind(source.scope)
    if kind is None and "services" in source.text and looks_like_compose(source.text):
        kind = "compose"
    return kind


# --- loading ---------------------------------------------------------------------------------


class YamlProblem(Exception):
    """A file that cannot be loaded; the message is the notice, `line` 1-based or 0."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def compose_documents(text: str) -> list[Node]:
    """The ruamel node trees of every document (YAML 1.2 resolution); YamlProblem on bad YAML."""
    yaml = YAML(typ="rt")
    try:
        return [node for node in yaml.compose_all(text) if node is not None]
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = (error.problem or error.context or "invalid YAML").strip()
        if error.context and error.problem:
            what = f"{error.context}, {error.problem}"
        raise YamlProblem(f"invalid YAML: {what} (line {line}); YAML rules skipped this file", line) from None
    except YAMLError as error:
        raise YamlProblem(f"invalid YAML: {str(error).splitlines()[0] if str(error) else type(error).__name__}; YAML rules skipped this file") from None


def expanded_size(node: Node, limit: int = MAX_NODES) -> int:
    """Nodes the document has once every alias is expanded (memoized, so an alias bomb is
    measured in linear time); YamlProblem for recursive aliases."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(item: Node) -> int:
        key = id(item)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlProblem("recursive YAML alias (an anchor that contains itself); YAML rules skipped this file", item.start_mark.line + 1)
        active.add(key)
        total = 1
        if isinstance(item, MappingNode):
            for k, v in item.value:
                total += size(k) + size(v)
                if total > limit * 10:
                    break
        elif isinstance(item, SequenceNode):
            for v in item.value:
                total += size(v)
                if total > limit * 10:
                    break
        active.discard(key)
        sizes[key] = total
        return total

    return size(node)


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*|0[0-9_]+)$")


def scalar_value(node: ScalarNode) -> Any:
    """A scalar as Docker Compose and GitHub read it (YAML 1.2 core schema)."""
    value = node.value
    tag = node.tag
    style = getattr(node, "style", None)
    if style == ">":
        value = value.replace("\a", "")
    if tag == _STR or style in ("'", '"', "|", ">"):
        return value
    try:
        if tag == "tag:yaml.org,2002:int":
            text = value.replace("_", "")
            lowered = text.lower().lstrip("+-")
            sign = -1 if text.startswith("-") else 1
            if lowered.startswith("0o"):
                return sign * int(lowered[2:], 8)
            if lowered.startswith("0x"):
                return sign * int(lowered[2:], 16)
            if lowered.startswith("0b"):
                return sign * int(lowered[2:], 2)
            return int(text, 10)
        if tag == "tag:yaml.org,2002:float":
            lowered = value.lower().replace("_", "")
            if lowered in (".inf", "+.inf"):
                return float("inf")
            if lowered == "-.inf":
                return float("-inf")
            if lowered == ".nan":
                return float("nan")
            return float(lowered)
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:null":
            return None
    except ValueError:
        return value
    return value


def _key_value(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        value = scalar_value(node)
        try:
            hash(value)
        except TypeError:
            return str(value)
        return value
    return f"<{type(node).__name__}>"


def _merge_sources(node: Node) -> list[MappingNode]:
    if isinstance(node, MappingNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [item for item in node.value if isinstance(item, MappingNode)]
    return []


def build(node: Node) -> Any:
    """Plain Python data of a node tree (call `expanded_size` first). Merge keys are shallow:
    the mapping's own keys win over merged ones, earlier merged mappings over later ones."""
    memo: dict[int, Any] = {}

    def go(item: Node) -> Any:
        key = id(item)
        if key in memo:
            return memo[key]
        if isinstance(item, ScalarNode):
            return scalar_value(item)
        if isinstance(item, SequenceNode):
            out: list = []
            memo[key] = out
            out.extend(go(child) for child in item.value)
            return out
        result: dict = {}
        memo[key] = result
        merges = [v for k, v in item.value if k.tag == _MERGE]
        for source in reversed([m for merge in merges for m in _merge_sources(merge)]):
            merged = go(source)
            if isinstance(merged, dict):
                result.update(merged)
        for k, v in item.value:
            if k.tag == _MERGE:
                continue
            result[_key_value(k)] = go(v)
        return result

    return go(node)


class _MappingIndex:
    """Key value -> (key node, value node) of each mapping node, built once per node, so a
    route lookup is a dict access, not a scan of every key (large files stay linear)."""

    def __init__(self) -> None:
        self.tables: dict[int, tuple[dict, list]] = {}

    def table(self, node: MappingNode) -> tuple[dict, list]:
        found = self.tables.get(id(node))
        if found is None:
            own: dict = {}
            merges: list = []
            for k, v in node.value:
                if k.tag == _MERGE:
                    merges.extend(_merge_sources(v))
                    continue
                key = _key_value(k)
                own[(type(key), key)] = (k, v)  # the last duplicate wins, as in `build`
            found = (own, merges)
            self.tables[id(node)] = found
        return found

    def lookup(self, node: MappingNode, part: Any, seen: set[int] | None = None) -> tuple[Node, Node] | None:
        """(key node, value node) of `part`: own keys first, then merged mappings in order."""
        own, merges = self.table(node)
        try:
            hit = own.get((type(part), part))
        except TypeError:
            return None
        if hit is not None or not merges:
            return hit
        seen = seen if seen is not None else set()
        if id(node) in seen:
            return None
        seen.add(id(node))
        for source in merges:
            hit = self.lookup(source, part, seen)
            if hit is not None:
                return hit
        return None


def _lookup(node: MappingNode, part: Any) -> tuple[Node, Node] | None:
    return _MappingIndex().lookup(node, part)


# --- positions inside scalars ----------------------------------------------------------------

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX = {"x": 2, "u": 4, "U": 8}


def scalar_offsets(node: ScalarNode, text: str, upto: int) -> list[int] | None:
    """Character index in `text` of each of the first `upto` characters of the scalar's value
    (plus one past the last), or None when the value cannot be aligned with the source."""
    style = getattr(node, "style", None)
    value = node.value.replace("\a", "") if style == ">" else node.value
    start, end = node.start_mark.index, node.end_mark.index
    if style in ("|", ">"):
        newline = text.find("\n", start, end)
        if newline == -1:
            return None
        p = newline + 1
    elif style in ("'", '"'):
        p = start + 1
        end -= 1
    else:
        p = start
    out: list[int] = []
    upto = min(upto, len(value))
    for c in value[:upto]:
        while True:
            if p >= end:
                return None
            r = text[p]
            if style == '"' and r == "\\" and p + 1 < end:
                following = text[p + 1]
                if following in "\r\n":
                    p += 2
                    continue
                if following in _HEX:
                    width = _HEX[following]
                    try:
                        decoded = chr(int(text[p + 2 : p + 2 + width], 16))
                    except ValueError:
                        return None
                    length = 2 + width
                else:
                    decoded = _ESCAPES.get(following)
                    length = 2
                if decoded == c:
                    out.append(p)
                    p += length
                    break
                return None
            if r == c or (c in " \n\t" and r in " \t\r\n"):
                out.append(p)
                p += 1
                break
            if r in " \t\r\n" or (style == "'" and r == "'"):
                p += 1
                continue
            return None
    out.append(out[-1] + 1 if out else p)
    return out


# --- what a YAML rule sees -------------------------------------------------------------------


def yaml_collector(*kinds: str):
    """Mark a project rule's `collect` as one to run on YAML files of these kinds (it is
    called with a `YamlContext`; on TS files the engine calls it with a `FileContext`)."""

    def mark(function):
        function.yaml_kinds = tuple(kinds)
        return function

    return mark


class YamlContext(Context):
    """One document of a YAML file, loaded once; every rule of its kind shares it."""

    def __init__(self, source: SourceFile, config: Config, kind: str, root: Node, data: Any, doc_index: int = 0, documents: int = 1) -> None:
        super().__init__(source, config)
        self.kind = kind
        self.root = root
        self.data = data
        self.doc_index = doc_index
        self.documents = documents
        self._reported: dict[tuple, Any] = {}
        self._index = _MappingIndex()

    # positions
    @cached_property
    def _char_to_byte(self):
        data, text = self.source.data, self.source.text
        if len(data) == len(text):
            return None
        table = [0] * (len(text) + 1)
        total = 0
        for index, char in enumerate(text):
            table[index] = total
            total += len(char.encode("utf-8", errors="surrogatepass"))
        table[len(text)] = total
        return table

    def byte_of(self, char_index: int) -> int:
        table = self._char_to_byte
        if table is None:
            return char_index
        return table[max(0, min(char_index, len(table) - 1))]

    def node_at(self, route: Iterable) -> tuple[Node | None, Node | None]:
        """(key node, value node) at `route`; missing parts leave the deepest node reached
        (with `self._resolved` telling how far it got)."""
        key_node, node = None, self.root
        depth = 0
        for part in route:
            hit = None
            if isinstance(node, MappingNode):
                hit = self._index.lookup(node, part)
            elif isinstance(node, SequenceNode) and isinstance(part, int) and not isinstance(part, bool) and -len(node.value) <= part < len(node.value):
                hit = (None, node.value[part])
            if hit is None:
                break
            key_node, node = hit
            depth += 1
        self._resolved = depth
        return key_node, node

    def has_route(self, route: Iterable) -> bool:
        route = tuple(route)
        self.node_at(route)
        return self._resolved == len(route)

    def value_at(self, route: Iterable, default: Any = None) -> Any:
        value = self.data
        for part in route:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
                value = value[part]
            else:
                return default
        return value

    def tag_at(self, route: Iterable) -> str:
        """The explicit tag of the value at `route` (`!reset`, `!override`), or ""."""
        route = tuple(route)
        _, node = self.node_at(route)
        if node is None or self._resolved != len(route):
            return ""
        tag = str(node.tag or "")
        return "" if tag.startswith("tag:yaml.org,2002:") else tag

    def char_span(self, route: Iterable, *, key: bool = False, part: str | None = None, span: tuple[int, int] | None = None) -> tuple[int, int]:
        route = tuple(route)
        key_node, node = self.node_at(route)
        resolved = self._resolved == len(route)
        if (key or part == "key") and key_node is not None and resolved:
            return key_node.start_mark.index, key_node.end_mark.index
        if node is None:
            return 0, 0
        text = self.source.text
        if not resolved and key_node is not None:
            return key_node.start_mark.index, key_node.end_mark.index
        if isinstance(node, ScalarNode):
            if span is not None:
                start, end = span
                offsets = scalar_offsets(node, text, max(start, end) + 1)
                if offsets is not None and 0 <= start < len(offsets) and 0 < end <= len(offsets):
                    first = offsets[start]
                    last = offsets[end - 1] + 1 if end > start else first
                    return first, max(first, last)
            start, end = node.start_mark.index, node.end_mark.index
            if getattr(node, "style", None) in ("|", ">"):
                end = self._line_end(start)
            return start, end
        start = node.start_mark.index
        end = node.end_mark.index
        if getattr(node, "flow_style", None) and text.count("\n", start, end) == 0:
            return start, end
        return start, min(end, self._line_end(start))

    def _line_end(self, index: int) -> int:
        text = self.source.text
        newline = text.find("\n", index)
        end = len(text) if newline == -1 else newline
        line = text[index:end]
        comment = re.search(r"\s+#.*$", line)
        if comment:
            line = line[: comment.start()]
        return index + len(line.rstrip())

    def location_of(self, route, *, key: bool = False, part: str | None = None, span: tuple[int, int] | None = None, note: str = "") -> Location:
        start, end = self.char_span(route, key=key, part=part, span=span)
        symbol = ".".join(str(item) for item in tuple(route)[:2])
        return self.span_location(self.byte_of(start), self.byte_of(end), symbol=symbol, note=note)

    def location(self, target, note: str = "") -> Location:
        if isinstance(target, Location):
            return target
        if isinstance(target, tuple) and not (len(target) == 2 and all(isinstance(item, int) for item in target)):
            return self.location_of(target, note=note)
        if isinstance(target, list):
            return self.location_of(tuple(target), note=note)
        return super().location(target, note)

    def report(self, target, message: str, *, key: bool = False, part: str | None = None, span: tuple[int, int] | None = None,
               level: str | None = None, fix=None, related: tuple = ()):
        location = target if isinstance(target, Location) else self.location_of(tuple(target), key=key, part=part, span=span)
        assert self.rule is not None, "report() outside a rule"
        seen_key = (self.rule.code, location.start_byte, location.end_byte)
        if seen_key in self._reported:
            return self._reported[seen_key]
        finding = super().report(location, message, level=level, fix=fix, related=tuple(self.location(item) for item in related))
        self._reported[seen_key] = finding
        return finding


# --- the per-file entry point ----------------------------------------------------------------


def load(source: SourceFile, result: FileResult | None = None) -> list[tuple[Node, Any]]:
    """(root node, plain data) per non-empty document; problems become notices (and [])."""
    try:
        nodes = compose_documents(source.text)
        loaded = []
        for node in nodes:
            size = expanded_size(node)
            if size > MAX_NODES:
                raise YamlProblem(
                    f"skipped: aliases expand to over {MAX_NODES:,} nodes ({size:,}+; a YAML alias bomb?); YAML rules skipped this file",
                    node.start_mark.line + 1,
                )
            loaded.append((node, build(node)))
        return loaded
    except YamlProblem as problem:
        if result is not None:
            result.notices.append(Notice(source.path, str(problem), "warning", problem.line))
        return []
    except RecursionError:
        if result is not None:
            result.notices.append(Notice(source.path, "skipped: the YAML nests too deeply", "warning"))
        return []


def analyze_yaml(source: SourceFile, config: Config, rules: list, result: FileResult, kind: str | None = None) -> list[YamlContext]:
    from linter.engine import run_rules

    kind = kind or file_kind(source, config)
    if kind is None:
        return []
    wanted = [
        rule for rule in rules
        if rule.target == kind or (kind == "action" and rule.target == "workflow") or (rule.target == "project" and kind in getattr(rule.collect, "yaml_kinds", ()))
    ]
    if not wanted:
        return []  # no selected rule reads this kind of file (`--select TS`): not even loaded
    documents = load(source, result)
    contexts = []
    for index, (node, data) in enumerate(documents):
        if not isinstance(data, dict):
            continue
        ctx = YamlContext(source, config, kind, node, data, index, len(documents))
        facts_before = dict(result.facts)
        result.facts.clear()
        run_rules(ctx, wanted, result)
        for code, facts in result.facts.items():  # several documents: list their facts together
            if code in facts_before:
                previous = facts_before[code]
                facts = (previous if isinstance(previous, list) else [previous]) + [facts]
            facts_before[code] = facts
        result.facts.clear()
        result.facts.update(facts_before)
        contexts.append(ctx)
    return contexts


__all__ = [
    "YamlContext", "analyze_yaml", "select_yaml_targets", "yaml_kind", "file_kind", "looks_like_compose",
    "is_override_name", "load", "yaml_collector", "MAX_NODES", "YamlProblem",
]
