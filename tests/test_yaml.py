"""The YAML core: file selection, YAML 1.2 loading, anchors and merge keys, alias bombs,
invalid files, and route -> line/column mapping (block scalars, quoted scalars, flow
collections, CRLF, BOM, non-ASCII)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from linter.compose import ImageRef, interpolations, parse_short_port
from linter.config import Config
from linter.discover import Target
from linter.engine import analyze_source, read_source
from linter.finding import FileResult
from linter.registry import load_rules
from linter.source import SourceFile
from linter.yamlscan import YamlContext, load, looks_like_compose, select_yaml_targets, yaml_kind


class _Rule:
    code = "XX001"
    level = "warning"


def context(text: str, path: str = "docker-compose.yml", bom: bool = False) -> YamlContext:
    source = SourceFile(path, text.encode("utf-8"), bom=bom)
    result = FileResult(path)
    documents = load(source, result)
    assert not result.notices, result.notices
    node, data = documents[0]
    ctx = YamlContext(source, Config(), "compose", node, data)
    ctx.rule = _Rule
    return ctx


def where(ctx: YamlContext, route, **kwargs) -> tuple[int, int, str]:
    loc = ctx.location_of(route, **kwargs)
    return loc.start_line, loc.start_column, loc.snippet


# --- which files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, kind",
    [
        ("docker-compose.yml", "compose"),
        ("deploy/docker-compose.prod.yaml", "compose"),
        ("compose.yaml", "compose"),
        ("infra/app.compose.yml", "compose"),
        (".github/workflows/ci.yml", "workflow"),
        ("packages/web/.github/workflows/e2e.yaml", "workflow"),
        (".github/workflows/nested/ci.yml", None),
        (".github/actions/setup/action.yml", "action"),
        ("openapi.yaml", None),
        ("k8s/deployment.yaml", None),
    ],
)
def test_kind_by_name(path: str, kind: str | None) -> None:
    assert yaml_kind(path) == kind


def test_config_globs_add_files() -> None:
    config = Config(compose_files=["stacks/*.yml"], workflow_files=["ci/pipelines/*.yml"])
    assert yaml_kind("stacks/prod.yml", config) == "compose"
    assert yaml_kind("ci/pipelines/build.yml", config) == "workflow"


def test_compose_sniff() -> None:
    assert looks_like_compose("services:\n  api:\n    image: ghcr.io/acme/api:1\n")
    assert looks_like_compose("# prod\nservices:\n\n  web:\n    build:\n      context: .\nvolumes: {}\n")
    assert not looks_like_compose("image: node:20\nservices:\n  - postgres:16\n")  # GitLab CI
    assert not looks_like_compose("spec:\n  services:\n    api:\n      image: x\n")
    assert not looks_like_compose("services:\n  api:\n    port: 80\n")
    # Woodpecker CI: a `services:` mapping with images, but a pipeline
    assert not looks_like_compose("steps:\n  test:\n    image: node:20\nservices:\n  db:\n    image: postgres:16\n")


def test_select_keeps_content_detected_compose(tmp_path: Path) -> None:
    (tmp_path / "prod.yml").write_text("services:\n  api:\n    image: a:1\n")
    (tmp_path / "values.yml").write_text("replicas: 2\n")
    targets = [Target(tmp_path / name, name, name, "yaml") for name in ("prod.yml", "values.yml")]
    assert [t.rel for t in select_yaml_targets(targets, Config())] == ["prod.yml"]


# --- loading -------------------------------------------------------------------------------


def test_yaml_12_scalars() -> None:
    ctx = context("on:\n  push:\nports:\n  - 2222:22\n  - 0o14\n  - 012\nflag: yes\nwhen: 2024-01-02\nnone: ~\n")
    assert "on" in ctx.data and True not in ctx.data
    assert ctx.data["ports"] == ["2222:22", 12, 12]
    assert ctx.data["flag"] == "yes"
    assert ctx.data["when"] == "2024-01-02"
    assert ctx.data["none"] is None


def test_anchors_and_shallow_merge() -> None:
    text = (
        "x-base: &base\n"
        "  deploy:\n"
        "    resources:\n"
        "      limits: {memory: 256M}\n"
        "  restart: always\n"
        "x-env: &env\n"
        "  A: 1\n"
        "services:\n"
        "  a:\n"
        "    <<: *base\n"
        "    image: a:1\n"
        "  b:\n"
        "    <<: [*env, *base]\n"
        "    deploy:\n"
        "      replicas: 2\n"
    )
    ctx = context(text)
    assert ctx.data["services"]["a"]["deploy"]["resources"]["limits"]["memory"] == "256M"
    assert ctx.data["services"]["b"]["deploy"] == {"replicas": 2}  # own key replaces the merged one
    assert ctx.data["services"]["b"]["A"] == 1 and ctx.data["services"]["b"]["restart"] == "always"
    # a merged key points where it is written: in the anchor
    assert where(ctx, ("services", "a", "restart"), key=True)[:2] == (5, 3)
    assert where(ctx, ("services", "b", "deploy"), key=True)[:2] == (14, 5)


def test_positions_in_sequences_flow_and_keys() -> None:
    text = 'services:\n  redis:\n    ports:\n      - "6379:6379"\n      - 8080:80\n    cap_add: [CHOWN, SYS_ADMIN]\n'
    ctx = context(text)
    assert where(ctx, ("services", "redis", "ports", 0)) == (4, 9, '"6379:6379"')
    assert where(ctx, ("services", "redis", "ports", 1)) == (5, 9, "8080:80")
    assert where(ctx, ("services", "redis", "cap_add", 1)) == (6, 22, "SYS_ADMIN")
    assert where(ctx, ("services", "redis"), key=True) == (2, 3, "redis")
    assert where(ctx, ("services", "redis", "cap_add"))[2] == "[CHOWN, SYS_ADMIN]"
    # an unresolved route reports at the deepest node it reached
    assert where(ctx, ("services", "redis", "nope"))[:2] == (2, 3)


def test_block_literal_sub_span() -> None:
    text = "jobs:\n  a:\n    steps:\n      - run: |\n          echo start\n          echo \"${{ github.event.issue.title }}\"\n"
    ctx = context(text, ".github/workflows/x.yml")
    value = ctx.value_at(("jobs", "a", "steps", 0, "run"))
    start = value.index("${{")
    line, column, snippet = where(ctx, ("jobs", "a", "steps", 0, "run"), span=(start, value.index("}}") + 2))
    assert (line, column, snippet) == (6, 17, "${{ github.event.issue.title }}")


def test_block_folded_and_indent_indicator() -> None:
    text = "a: >-\n  one\n  two ${{ x }}\nb: |2\n    indented\n   more ${{ y }}\n"
    ctx = context(text)
    value = ctx.value_at(("a",))
    assert value == "one two ${{ x }}"
    assert where(ctx, ("a",), span=(value.index("$"), len(value)))[:2] == (3, 7)
    value = ctx.value_at(("b",))
    assert where(ctx, ("b",), span=(value.index("$"), len(value)))[:2] == (6, 9)


def test_quoted_scalars_with_escapes() -> None:
    text = 'a: "tab\\there \\"q\\" ${{ v }}"\nb: \'it\'\'s ${{ w }}\'\n'
    ctx = context(text)
    value = ctx.value_at(("a",))
    assert value == 'tab\there "q" ${{ v }}'
    assert where(ctx, ("a",), span=(value.index("$"), len(value)))[:3] == (1, 21, "${{ v }}")
    value = ctx.value_at(("b",))
    assert where(ctx, ("b",), span=(value.index("$"), len(value)))[:3] == (2, 11, "${{ w }}")


def test_crlf_bom_and_non_ascii() -> None:
    text = "services:\r\n  café:\r\n    image: rédis\r\n    ports:\r\n      - \"6379:6379\"\r\n    command: |\r\n      echo ünïcode ${X}\r\n"
    ctx = context(text, bom=True)
    loc = ctx.location_of(("services", "café", "ports", 0))
    assert (loc.start_line, loc.start_column, loc.end_column) == (5, 9, 20)
    assert loc.snippet == '"6379:6379"'
    value = ctx.value_at(("services", "café", "command"))
    assert value == "echo ünïcode ${X}\n"
    loc = ctx.location_of(("services", "café", "command"), span=(value.index("$"), value.index("}") + 1))
    assert (loc.start_line, loc.start_column, loc.snippet) == (7, 20, "${X}")
    assert loc.start_utf16 == 20


def test_multi_document_and_empty_files() -> None:
    source = SourceFile("compose.yaml", b"services:\n  a:\n    image: a:1\n---\nservices:\n  b:\n    image: b\n")
    documents = load(source)
    assert [sorted(data["services"]) for _, data in documents] == [["a"], ["b"]]
    assert load(SourceFile("compose.yaml", b"")) == []
    assert load(SourceFile("compose.yaml", b"# only a comment\n")) == []


# --- hostile input -------------------------------------------------------------------------


def _scan_text(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    target = Target(path, name, name, "yaml")
    source, notice = read_source(target, Config())
    assert notice is None
    return analyze_source(source, "yaml", Config(), list(load_rules().values()))[0]


def test_invalid_yaml_is_a_notice(tmp_path: Path) -> None:
    result = _scan_text(tmp_path, "docker-compose.yml", "services:\n  api:\n    image: [unclosed\n    ports: - 1\n")
    assert result.findings == []
    assert len(result.notices) == 1 and "invalid YAML" in result.notices[0].message
    assert result.notices[0].line > 0


def test_tabs_are_a_notice_not_a_crash(tmp_path: Path) -> None:
    result = _scan_text(tmp_path, "docker-compose.yml", "services:\n\tapi:\n\t\timage: x\n")
    assert len(result.notices) == 1 and "invalid YAML" in result.notices[0].message


def test_alias_bomb_is_a_notice(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    lines.append("services:\n  bomb:\n    image: x\n    command: *a9")
    started = time.perf_counter()
    result = _scan_text(tmp_path, "docker-compose.yml", "\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5
    assert result.findings == []
    assert any("alias bomb" in notice.message for notice in result.notices)


def test_recursive_alias_is_a_notice(tmp_path: Path) -> None:
    result = _scan_text(tmp_path, "docker-compose.yml", "a: &a\n  - *a\nservices:\n  x:\n    image: y:1\n")
    assert result.notices and result.findings == []


def test_rules_run_on_good_file(tmp_path: Path) -> None:
    result = _scan_text(tmp_path, "compose.yaml", "services:\n  db:\n    image: postgres\n    ports: ['5432:5432']\n")
    assert {finding.code for finding in result.findings} == {"DC101", "DC106"}
    assert not result.notices


# --- compose helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("127.0.0.1:5432:5432", ("127.0.0.1", "5432", "5432", "tcp")),
        ("8000-8010:8000-8010", (None, "8000-8010", "8000-8010", "tcp")),
        ("[::1]:80:80", ("[::1]", "80", "80", "tcp")),
        ("6379/udp", (None, None, "6379", "udp")),
        (3000, (None, None, "3000", "tcp")),
        ("${WEB_PORT:-3000}:3000", (None, "${WEB_PORT:-3000}", "3000", "tcp")),
        ("127.0.0.1::80", ("127.0.0.1", None, "80", "tcp")),
    ],
)
def test_short_ports(raw, expected) -> None:
    assert parse_short_port(raw) == expected


def test_interpolation_forms() -> None:
    found = interpolations("${A} ${B:-x} ${C-y} ${D:?need D} ${E?e} ${F:+alt} $G $$H ${I:-${J:-k}}")
    assert [(item.name, item.op, item.argument) for item in found] == [
        ("A", "", ""), ("B", ":-", "x"), ("C", "-", "y"), ("D", ":?", "need D"), ("E", "?", "e"),
        ("F", ":+", "alt"), ("G", "", ""), ("I", ":-", "${J:-k}"),
    ]


@pytest.mark.parametrize(
    "raw, tag, digest",
    [
        ("postgres", "", ""),
        ("postgres:16", "16", ""),
        ("registry.local:5000/team/api", "", ""),
        ("registry.local:5000/team/api:1.2", "1.2", ""),
        ("nginx@sha256:abc", "", "sha256:abc"),
    ],
)
def test_image_refs(raw, tag, digest) -> None:
    ref = ImageRef.parse(raw)
    assert (ref.tag, ref.digest) == (tag, digest)


# --- override pairing ----------------------------------------------------------------------

BASE = "services:\n  api:\n    image: ghcr.io/acme/api:1.0.0\n    depends_on:\n      - cache\n"
PROD = "services:\n  api:\n    deploy:\n      resources:\n        limits: {memory: 1G, cpus: '1'}\n  cache:\n    image: redis:7.2\n    mem_limit: 256m\n    cpus: 0.5\n"


def _compose_scan(tmp_path: Path, files: dict[str, str], config: Config):
    from linter.engine import scan

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    config.select = ["DC102", "DC107"]
    result = scan([tmp_path], config, root=tmp_path, jobs=1)
    return sorted((f.code, f.location.path, f.location.start_line) for f in result.findings)


def test_default_override_is_merged(tmp_path: Path) -> None:
    found = _compose_scan(tmp_path, {"docker-compose.yml": BASE, "docker-compose.override.yml": PROD}, Config(root=tmp_path))
    assert found == []


def test_other_files_stand_alone_unless_configured(tmp_path: Path) -> None:
    files = {"deploy/docker-compose.yml": BASE, "deploy/docker-compose.prod.yml": PROD}
    alone = _compose_scan(tmp_path, files, Config(root=tmp_path))
    assert ("DC102", "deploy/docker-compose.yml", 2) in alone and ("DC107", "deploy/docker-compose.yml", 5) in alone
    paired = _compose_scan(tmp_path, files, Config(root=tmp_path, compose_overrides={"deploy/docker-compose.yml": ["deploy/docker-compose.prod.yml"]}))
    assert paired == []


def test_compose_overrides_config_takes_file_globs(tmp_path: Path) -> None:
    from linter.config import load_config

    (tmp_path / ".prodlint.toml").write_text('compose-overrides = { "docker-compose.yml" = ["docker-compose.prod.yml"] }\n')
    assert load_config(tmp_path).compose_overrides == {"docker-compose.yml": ["docker-compose.prod.yml"]}


def test_report_api_key_part_dedupe_and_tags() -> None:
    text = "x-env: &env\n  PASSWORD: hunter2\nservices:\n  a:\n    environment: *env\n  b:\n    environment: *env\n    ports: !reset []\n"
    ctx = context(text)
    first = ctx.report(("services", "a", "environment", "PASSWORD"), "m1")
    again = ctx.report(("services", "b", "environment", "PASSWORD"), "m2")
    assert first is again and len(ctx.findings) == 1  # one place in the file, one finding
    assert (first.location.start_line, first.location.start_column) == (2, 13)
    key = ctx.report(("services", "b", "ports"), "m3", part="key")
    assert (key.location.start_line, key.location.start_column, key.location.snippet) == (8, 5, "ports")
    assert ctx.tag_at(("services", "b", "ports")) == "!reset"
    assert ctx.tag_at(("services", "a")) == ""
    assert ctx.has_route(("services", "b", "environment", "PASSWORD")) and not ctx.has_route(("services", "c"))
