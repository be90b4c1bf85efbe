"""The workflow model and the `${{ }}` expression parser (linter/workflows.py)."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from linter.workflows import (
    Binary,
    Call,
    Context,
    ExpressionError,
    Index,
    Literal,
    Property,
    Star,
    Uses,
    Workflow,
    attacker_controlled,
    commands,
    find_expressions,
    parse_expression,
    program,
    read_paths,
    tokenize,
    value_paths,
)


def load(text: str, kind: str = "workflow") -> Workflow:
    return Workflow.load(YAML(typ="rt").load(text), kind)


# --- expressions --------------------------------------------------------------------------


def test_tokenize_kinds() -> None:
    tokens = tokenize("github.event['x'] == 'it''s' && !(0x1F > -2.5e3)")
    kinds = [t.kind for t in tokens]
    assert kinds[:6] == ["name", "punct", "name", "punct", "string", "punct"]
    assert [t.value for t in tokens if t.kind == "string"] == ["x", "it's"]
    assert [t.value for t in tokens if t.kind == "number"] == [31, -2500.0]
    assert kinds[-1] == "end"


def test_tokenize_rejects_garbage() -> None:
    with pytest.raises(ExpressionError):
        tokenize("github.event ~ 1")


def test_parse_property_chain_and_index() -> None:
    node = parse_expression("github.event.commits[0].message")
    assert isinstance(node, Property) and node.name == "message"
    assert isinstance(node.object, Index)
    assert read_paths(node) == ["github.event.commits.*.message"]


def test_parse_string_index_is_a_property() -> None:
    assert read_paths(parse_expression("steps['build-id'].outputs['url']")) == ["steps.build-id.outputs.url"]


def test_parse_object_filter() -> None:
    node = parse_expression("github.event.pages.*.page_name")
    assert isinstance(node.object, Star)
    assert read_paths(node) == ["github.event.pages.*.page_name"]


def test_precedence() -> None:
    node = parse_expression("a || b && c == 'x'")
    assert isinstance(node, Binary) and node.op == "||"
    assert isinstance(node.right, Binary) and node.right.op == "&&"
    assert isinstance(node.right.right, Binary) and node.right.right.op == "=="


def test_calls_and_literals() -> None:
    node = parse_expression("format('{0}-{1}', github.ref, true)")
    assert isinstance(node, Call) and node.name == "format"
    assert isinstance(node.args[0], Literal) and node.args[0].value == "{0}-{1}"
    assert isinstance(node.args[1], Property)
    assert node.args[2].value is True
    assert isinstance(parse_expression("null"), Literal)
    assert isinstance(parse_expression("matrix"), Context)


@pytest.mark.parametrize("source", ["a.", "f(a,", "(a", "a[1", "== b", "a b"])
def test_invalid_expressions(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(source)


def test_read_paths_include_index_expressions() -> None:
    assert read_paths(parse_expression("needs[matrix.job].outputs.url")) == ["needs.*.outputs.url", "matrix.job"]


def test_read_paths_lists_everything_read() -> None:
    node = parse_expression("contains(github.event.issue.labels.*.name, 'bug') && !github.event.issue.locked")
    assert read_paths(node) == ["github.event.issue.labels.*.name", "github.event.issue.locked"]


@pytest.mark.parametrize(
    "source, flows",
    [
        ("github.event.issue.title", ["github.event.issue.title"]),
        ("github.event.issue.title || 'untitled'", ["github.event.issue.title"]),
        ("github.event.issue.locked && github.event.issue.body", ["github.event.issue.body"]),
        ("format('{0}', github.head_ref)", ["github.head_ref"]),
        ("toJSON(github.event)", ["github.event"]),
        ("contains(github.event.issue.title, 'x')", []),
        ("github.event.issue.title == 'x'", []),
        ("!github.event.issue.title", []),
        ("startsWith(github.head_ref, 'release/')", []),
    ],
)
def test_value_paths_follow_what_reaches_the_result(source: str, flows: list[str]) -> None:
    assert [path for path, _node, _whole in value_paths(parse_expression(source))] == flows


def test_attacker_controlled() -> None:
    assert attacker_controlled("github.event.issue.title")
    assert attacker_controlled("github.event.commits.*.message")
    assert attacker_controlled("github.head_ref")
    assert not attacker_controlled("github.event.pull_request.number")
    assert not attacker_controlled("github.event.pull_request.head.sha")
    assert not attacker_controlled("github.event")
    assert attacker_controlled("github.event", whole=True)
    assert attacker_controlled("github.event.pull_request", whole=True)
    assert not attacker_controlled("github.event.pull_request.head.sha", whole=True)


def test_find_expressions_offsets() -> None:
    text = "echo \"${{ github.event.issue.title }}\" && echo ${{ format('}}', x) }}"
    found = find_expressions(text)
    assert [text[e.start : e.end] for e in found] == ["${{ github.event.issue.title }}", "${{ format('}}', x) }}"]
    first = found[0].node
    assert text[first.start : first.end] == "github.event.issue.title"


def test_find_expressions_keeps_unparseable_ones() -> None:
    (found,) = find_expressions("run ${{ oops ( }} now")
    assert found.node is None and found.read_paths() == []


def test_find_expressions_unterminated() -> None:
    assert find_expressions("echo ${{ github.sha") == []


# --- uses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, kind, owner, repo, path, ref, pinned",
    [
        ("actions/checkout@v4", "action", "actions", "checkout", "", "v4", False),
        ("github/codeql-action/analyze@v3", "action", "github", "codeql-action", "analyze", "v3", False),
        ("org/wf/.github/workflows/x.yml@main", "workflow", "org", "wf", ".github/workflows/x.yml", "main", False),
        ("org/a@" + "a" * 40, "action", "org", "a", "", "a" * 40, True),
        ("./.github/actions/setup", "local", "", "", "./.github/actions/setup", "", False),
        ("docker://alpine:3.20", "docker", "", "", "alpine:3.20", "", False),
        ("docker://alpine@sha256:abc", "docker", "", "", "alpine@sha256:abc", "sha256:abc", True),
        ("no-ref/action", "action", "no-ref", "action", "", "", False),
        ("empty/ref@", "invalid", "", "", "", "", False),
        ("just-a-name@v1", "invalid", "", "", "", "", False),
    ],
)
def test_uses_parse(raw, kind, owner, repo, path, ref, pinned) -> None:
    uses = Uses.parse(raw)
    assert (uses.kind, uses.owner, uses.repo, uses.path, uses.ref, uses.pinned) == (kind, owner, repo, path, ref, pinned)


def test_uses_is_action() -> None:
    assert Uses.parse("GitHub/CodeQL-Action/analyze@v3").is_action("github/codeql-action")
    assert Uses.parse("github/codeql-action/analyze@v3").is_action("github/codeql-action/analyze")
    assert not Uses.parse("github/codeql-action/init@v3").is_action("github/codeql-action/analyze")
    assert not Uses.parse("./actions/checkout").is_action("actions/checkout")


# --- the model -------------------------------------------------------------------------------

WORKFLOW = """
name: CI
on:
  push:
    branches: [main]
  pull_request_target:
permissions:
  contents: read
  pull-requests: write
env:
  A: "1"
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
        env:
          B: two
  test:
    needs: lint
    permissions: write-all
    environment:
      name: staging
      url: https://staging.example.com
    services:
      db:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: pw
    container: node:22
    steps:
      - name: Test
        id: t
        run: npm test
        continue-on-error: true
        with:
          x: 1
  deploy:
    needs: [lint, test]
    environment: production
    uses: org/repo/.github/workflows/deploy.yml@v1
"""


def test_workflow_model() -> None:
    workflow = load(WORKFLOW)
    assert list(workflow.triggers) == ["push", "pull_request_target"]
    assert workflow.on_key == "on"
    assert workflow.env == {"A": "1"}
    assert workflow.permissions.writes() == ["pull-requests"]
    assert [job.id for job in workflow.jobs] == ["lint", "test", "deploy"]
    lint, test, deploy = workflow.jobs
    assert lint.steps[1].route == ("jobs", "lint", "steps", 1)
    assert lint.steps[1].run == "npm ci" and lint.steps[1].env == {"B": "two"}
    assert lint.steps[0].uses.action == "actions/checkout"
    assert test.permissions.write_all and test.permissions.route == ("jobs", "test", "permissions")
    assert test.environment_name == "staging" and deploy.environment_name == "production"
    assert [s.name for s in test.services] == ["db"] and test.services[0].env["POSTGRES_PASSWORD"] == "pw"
    assert test.container_image == "node:22"
    step = test.steps[0]
    assert (step.name, step.id, step.continue_on_error, step.with_) == ("Test", "t", True, {"x": 1})
    assert deploy.uses.kind == "workflow" and deploy.needs == ["lint", "test"]
    assert lint.permissions is None


def test_needs_graph() -> None:
    workflow = load(WORKFLOW)
    graph = workflow.needs_graph
    assert set(graph.edges) == {("lint", "test"), ("lint", "deploy"), ("test", "deploy")}
    assert workflow.upstream("deploy") == {"lint", "test"}


@pytest.mark.parametrize(
    "on, events",
    [("on: push", ["push"]), ("on: [push, pull_request]", ["push", "pull_request"]), ("on:\n  issues:\n    types: [opened]", ["issues"])],
)
def test_trigger_forms(on: str, events: list[str]) -> None:
    assert list(load(on + "\njobs: {}\n").triggers) == events


def test_composite_action_steps() -> None:
    action = load(
        """
name: setup
runs:
  using: composite
  steps:
    - uses: pnpm/action-setup@v4
    - run: pnpm install
      shell: bash
""",
        kind="action",
    )
    (job,) = action.jobs
    assert job.id == "" and [step.route for step in job.steps] == [("runs", "steps", 0), ("runs", "steps", 1)]


def test_javascript_action_has_no_steps() -> None:
    assert load("runs:\n  using: node20\n  main: index.js\n", kind="action").jobs == []


def test_malformed_documents_do_not_crash() -> None:
    assert Workflow.load(["not", "a", "mapping"]) is None
    workflow = load("on: push\njobs:\n  a: 3\n  b:\n    steps: nope\n")
    assert [job.id for job in workflow.jobs] == ["b"] and workflow.jobs[0].steps == []


# --- shell -----------------------------------------------------------------------------------


def test_commands_split_and_offsets() -> None:
    script = "npm audit --prod || true\nnpx vercel deploy \\\n  --prod && echo ok  # trailing || true\n"
    parts = commands(script)
    assert [p.words[0] for p in parts] == ["npm", "true", "npx", "echo"]
    assert parts[0].operator_after == "||"
    assert script[parts[2].start : parts[2].start + 10] == "npx vercel"
    assert parts[3].words == ("echo", "ok")


def test_commands_keep_quoted_separators() -> None:
    (only,) = commands("echo 'a && b; c' \"|| true\"")
    assert only.words == ("echo", "a && b; c", "|| true")


@pytest.mark.parametrize(
    "words, name, args",
    [
        (("npx", "vercel@latest", "deploy", "--prod"), "vercel", ("deploy", "--prod")),
        (("pnpm", "dlx", "wrangler", "deploy"), "wrangler", ("deploy",)),
        (("yarn", "vercel", "--prod"), "vercel", ("--prod",)),
        (("NODE_ENV=production", "sudo", "kubectl", "apply"), "kubectl", ("apply",)),
        (("npm", "exec", "--", "playwright", "install"), "playwright", ("install",)),
        (("yarn", "install"), "yarn", ("install",)),
    ],
)
def test_program(words, name, args) -> None:
    assert program(words) == (name, args)


# --- positions through the engine ------------------------------------------------------------


def test_findings_point_inside_block_scalars(tmp_path) -> None:
    from linter.config import load_config
    from linter.engine import scan

    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "triage.yml").write_text(
        "on: issues\n"
        "permissions:\n"
        "  contents: read\n"
        "jobs:\n"
        "  triage:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: |\n"
        "          echo start\n"
        "          echo \"${{ github.event.issue.title }}\" && npm audit || true\n",
        encoding="utf-8",
    )
    result = scan([tmp_path], load_config(tmp_path), root=tmp_path, jobs=1)
    found = {f.code: f.location for f in result.findings}
    line = "          echo \"${{ github.event.issue.title }}\" && npm audit || true"
    injection = found["GH104"]
    assert (injection.start_line, injection.start_column) == (10, line.index("${{") + 1)
    assert injection.snippet == "${{ github.event.issue.title }}"
    swallow = found["GH103"]
    assert (swallow.start_line, swallow.start_column) == (10, line.index("||") + 1)
    assert swallow.snippet == "|| true"
