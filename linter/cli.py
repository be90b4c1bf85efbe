"""`prodlint scan | rules | explain` — exit 0 clean, 1 findings at or above --fail-on, 2 usage,
configuration or internal error."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from linter import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 as well; keep our one-line form
        self.print_usage(sys.stderr)
        print(f"prodlint: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="prodlint", description="Finds what would hurt a web product in production.")
    parser.add_argument("--version", action="version", version=f"prodlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = commands.add_parser("scan", help="scan files and folders (default: .)")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    scan.add_argument("--format", choices=("text", "json", "sarif", "github", "markdown"), default="text")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    scan.add_argument("--select", type=_codes, metavar="CODES", help="only these rules (codes or prefixes, comma-separated)")
    scan.add_argument("--ignore", type=_codes, metavar="CODES", help="skip these rules (codes or prefixes)")
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB (repeatable)")
    scan.add_argument("--fail-on", choices=("error", "warning", "note"), help="lowest level that makes the exit code 1 (default: warning)")
    scan.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    scan.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    scan.add_argument("--config", type=Path, metavar="FILE", help="use this pyproject.toml or .prodlint.toml")
    scan.add_argument("--no-cache", action="store_true", help="analyse every file afresh; read and write no cache")
    scan.add_argument("--cache-dir", type=Path, metavar="DIR", help="where results are cached (default: $PRODLINT_CACHE_DIR or ~/.cache/prodlint)")
    scan.add_argument("--category", default="scan", help="SARIF automationDetails category (default: scan)")
    scan.add_argument("--no-color", action="store_true", help="plain text output")
    scan.add_argument("--quiet", "-q", action="store_true", help="findings only: no summary, no notices")
    scan.add_argument("--no-ignores", action="store_true", help="report findings even where prodlint-ignore comments silence them")
    scan.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in this baseline")
    scan.add_argument("--write-baseline", metavar="FILE", help="record today's findings as the baseline and exit 0")
    scan.add_argument("--prune-baseline", action="store_true", help="drop fixed findings from the baseline file")
    scan.add_argument("--diff", nargs="?", const=FIX_PREVIEW, metavar="REF",
                      help="with REF: only findings on lines changed since the git ref REF (use --diff=REF before paths); "
                           "alone: print the changes --fix would make, write nothing")
    scan.add_argument("--fix", action="store_true", help="apply safe fixes to the scanned files")
    scan.add_argument("--index-root", type=Path, metavar="DIR",
                      help="cross-file rules read every file under DIR (cached), while only PATHS are reported")
    scan.add_argument("--shard", type=_shard, metavar="K/N", help="report only shard K of N (files split by path hash); cross-file rules still see every file")
    scan.add_argument("--sarif-output", metavar="FILE", help="also write SARIF to FILE")
    scan.add_argument("--summary-output", metavar="FILE", help="also write a markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    scan.add_argument("--report-unused-ignores", action="store_true", help="report prodlint-ignore comments that silence nothing")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "markdown", "docs"), default="text",
                       help="markdown: the README table; docs: every rule's documentation (docs/rules.md)")
    commands.add_parser("lsp", help="run the language server on stdio")
    merge = commands.add_parser("merge-sarif", help="join the SARIF files of shards into one run")
    merge.add_argument("inputs", nargs="+", type=Path, metavar="FILE")
    merge.add_argument("--output", "-o", type=Path, metavar="FILE", required=True)
    init = commands.add_parser("init", help="write a configuration for the detected stack, and a baseline if there are findings")
    init.add_argument("path", nargs="?", default=".", type=Path)
    init.add_argument("--force", action="store_true", help="overwrite an existing configuration")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from linter.registry import load_errors, load_rules

    if args.command == "scan":
        from linter.discover import list_untracked_early

        list_untracked_early([Path(path) for path in args.paths])
    load_rules()
    if load_errors:
        for error in load_errors:
            print(f"prodlint: internal error: cannot load rule {error}", file=sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "merge-sarif":
            return _merge_sarif(args)
        if args.command == "init":
            return _init(args)
        if args.command == "lsp":
            from linter.lsp import main as lsp_main

            return lsp_main()
        if args.command == "explain":
            return _explain(args.code)
        parser.print_help()
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130


FIX_PREVIEW = ""  # `--diff` with no REF: show what --fix would change


def _shard(value: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not K/N (like 2/3)") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"shard {value}: K must be between 1 and N")
    return index, count


def _scan(args) -> int:
    from linter.config import ConfigError, load_config
    from linter.engine import scan
    from linter.finding import LEVEL_RANK

    paths = [Path(path) for path in args.paths]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        print(f"prodlint: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    try:
        config = load_config(paths[0], args.config)
        if args.select:
            config.select = args.select
        if args.ignore:
            config.ignore = config.ignore + args.ignore
        if args.fail_on:
            config.fail_on = args.fail_on
        if args.jobs is not None and args.jobs < 1:
            raise ConfigError("--jobs must be at least 1")
        cwd = Path.cwd().resolve()
        inside = all(cwd == p.resolve() or cwd in p.resolve().parents for p in paths)
        root = cwd if inside else config.root
        cache_dir = None
        if not args.no_cache:
            from linter.cache import default_directory

            cache_dir = args.cache_dir or default_directory()
        # --index-root: report PATHS only, but let cross-file rules read the whole project
        # (pre-commit passes staged files; the answer should not depend on what was staged).
        index_paths = [args.index_root] if args.index_root else None
        result = scan(
            paths, config, root=root, jobs=args.jobs, extra_excludes=args.exclude,
            use_ignores=not args.no_ignores, cache_dir=cache_dir,
            report_unused_ignores=args.report_unused_ignores,
            index_paths=index_paths, shard=args.shard,
        )
        if args.diff:
            _keep_changed_lines(result, root, args.diff)
        baseline_code = _apply_baseline(args, config, result)
        if baseline_code is not None:
            return baseline_code
    except ConfigError as error:
        print(f"prodlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR

    if args.diff == FIX_PREVIEW or args.fix:
        from linter.fix import apply_fixes

        report = apply_fixes(result, write=args.fix)
        sys.stdout.write(report.diff if args.diff == FIX_PREVIEW else report.summary)
        if args.diff == FIX_PREVIEW:
            return EXIT_CLEAN

    output = _render(args, result, config)
    for extra, kind in ((args.sarif_output, "sarif"), (args.summary_output, "markdown")):
        if extra and not _write(extra, _render(args, result, config, kind)):
            return EXIT_ERROR
    if args.output:
        if not _write(args.output, output):
            return EXIT_ERROR
        if args.format != "text" and not args.quiet:
            from linter.report.text import summary_line

            print(summary_line(result), file=sys.stderr)
    else:
        sys.stdout.write(output)
    if args.format == "text" and not args.quiet and result.notices:
        from linter.report.text import render_notices

        sys.stderr.write(render_notices(result))
    if any(notice.path == "" and notice.level == "error" for notice in result.notices):
        return EXIT_ERROR  # a rule crashed in the project phase
    if args.exit_zero:
        return EXIT_CLEAN
    threshold = LEVEL_RANK[config.fail_on]
    failing = any(LEVEL_RANK[finding.level] >= threshold for finding in result.active)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _write(path: str, text: str) -> bool:
    try:
        Path(path).write_text(text, encoding="utf-8")
        return True
    except OSError as error:
        print(f"prodlint: error: cannot write {path}: {error.strerror}", file=sys.stderr)
        return False


def _keep_changed_lines(result, root: Path, ref: str) -> None:
    from linter.config import ConfigError
    from linter.gitdiff import GitDiffError, changed_lines, touches

    try:
        changed = changed_lines(root, ref)
    except GitDiffError as error:
        raise ConfigError(f"--diff {ref}: {error}") from None
    result.findings = [
        finding for finding in result.findings
        if touches(changed, finding.location.path, finding.location.start_line, finding.location.end_line)
    ]


def _apply_baseline(args, config, result) -> int | None:
    """Write, apply or prune the baseline; returns an exit code when the run ends here."""
    from linter import baseline as baselines
    from linter.config import ConfigError

    if args.write_baseline:
        entries = baselines.entries_for(result.findings)
        baselines.write(Path(args.write_baseline), entries)
        if not args.quiet:
            print(f"prodlint: wrote {len(entries)} finding(s) to {args.write_baseline}", file=sys.stderr)
        return EXIT_CLEAN
    path = Path(args.baseline) if args.baseline else (config.root / config.baseline if config.baseline else None)
    if path is None:
        if args.prune_baseline:
            raise ConfigError("--prune-baseline needs --baseline FILE (or `baseline` in the configuration)")
        return None
    try:
        entries = baselines.load(path)
    except baselines.BaselineError as error:
        raise ConfigError(str(error)) from None
    outcome = baselines.apply(result.findings, entries)
    result.findings = outcome.new
    result.baselined = outcome.matched
    result.baseline_fixed = len(outcome.fixed)
    if args.prune_baseline and outcome.fixed:
        fixed = {entry["fingerprint"] for entry in outcome.fixed}
        baselines.write(path, [entry for entry in entries if entry["fingerprint"] not in fixed])
        if not args.quiet:
            print(f"prodlint: pruned {len(fixed)} fixed finding(s) from {path}", file=sys.stderr)
    elif outcome.fixed and not args.quiet:
        print(f"prodlint: {len(outcome.fixed)} baselined finding(s) are fixed; `--prune-baseline` removes them from {path}", file=sys.stderr)
    return None


def _render(args, result, config, kind: str | None = None) -> str:
    kind = kind or args.format
    if kind == "markdown":
        from linter.report.markdown import render

        return render(result)
    if kind == "json":
        from linter.report.json import render

        return render(result)
    if kind == "sarif":
        from linter.report.sarif import render

        return render(result, args.category, config.levels)
    if kind == "github":
        from linter.report.github import render

        return render(result)
    from linter.report.text import render

    color = not args.no_color and not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return render(result, color=color, quiet=args.quiet)


def _merge_sarif(args) -> int:
    import json

    from linter.report.merge_sarif import MergeError, merge

    try:
        document = merge(args.inputs)
    except MergeError as error:
        print(f"prodlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if not _write(str(args.output), json.dumps(document, indent=2, ensure_ascii=False) + "\n"):
        return EXIT_ERROR
    print(f"prodlint: merged {len(args.inputs)} file(s), {len(document['runs'][0]['results'])} result(s) into {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def _init(args) -> int:
    from linter import baseline as baselines
    from linter.config import Config
    from linter.engine import scan
    from linter.init import detect, render

    root = args.path.resolve()
    if not root.is_dir():
        print(f"prodlint: error: {args.path} is not a folder", file=sys.stderr)
        return EXIT_ERROR
    pyproject = root / "pyproject.toml"
    dotfile = root / ".prodlint.toml"
    existing = dotfile.exists() or (pyproject.exists() and "[tool.prodlint" in pyproject.read_text(encoding="utf-8", errors="replace"))
    if existing and not args.force:
        print(f"prodlint: error: {root} already has a prodlint configuration (use --force to replace it)", file=sys.stderr)
        return EXIT_ERROR
    detected = detect(root)
    result = scan([root], Config(root=root), root=root)
    baseline_name = None
    active = [finding for finding in result.findings if not finding.suppressed]
    if active:
        baseline_name = ".prodlint-baseline.json"
        baselines.write(root / baseline_name, baselines.entries_for(active))
    if pyproject.exists() and not dotfile.exists():
        text = pyproject.read_text(encoding="utf-8")
        if "[tool.prodlint" in text:
            print("prodlint: error: replace [tool.prodlint] in pyproject.toml by hand", file=sys.stderr)
            return EXIT_ERROR
        pyproject.write_text(text.rstrip("\n") + "\n\n" + render(detected, baseline_name, True), encoding="utf-8")
        target = pyproject
    else:
        dotfile.write_text(render(detected, baseline_name, False), encoding="utf-8")
        target = dotfile
    stack = ", ".join(detected["stack"]) or "no known framework"
    print(f"prodlint: wrote {target.name} ({stack})", file=sys.stderr)
    if baseline_name:
        print(f"prodlint: recorded {len(active)} existing finding(s) in {baseline_name}; only new findings will fail", file=sys.stderr)
    return EXIT_CLEAN


def rules_docs(rules) -> str:
    """docs/rules.md: what `explain` prints, for every rule; SARIF `helpUri` and the editor's
    rule links point at its headings."""
    head = "<!-- generated by `prodlint rules --format docs`; tests/test_readme.py keeps it current -->\n\n# prodlint rules\n\n"
    return head + "\n".join(explain_text(rule).replace("\n## ", "\n### ").replace("# ", "## ", 1) for rule in rules.values())


def rules_markdown(rules) -> str:
    lines = ["| code | slug | level | CWE | fix | what it finds |", "|---|---|---|---|---|---|"]
    for rule in rules.values():
        cwe = ", ".join(str(number) for number in rule.cwe)
        lines.append(f"| {rule.code} | `{rule.slug}` | {rule.level} | {cwe} | {'yes' if rule.fixable else ''} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def _rules(output_format: str = "text") -> int:
    from linter.registry import load_rules

    rules = load_rules()
    if output_format == "markdown":
        sys.stdout.write(rules_markdown(rules))
        return EXIT_CLEAN
    if output_format == "docs":
        sys.stdout.write(rules_docs(rules))
        return EXIT_CLEAN
    width = max((len(rule.slug) for rule in rules.values()), default=4)
    print(f"{'CODE':<7} {'SLUG':<{width}}  {'LEVEL':<8} {'FIX':<3}  SUMMARY")
    for rule in rules.values():
        print(f"{rule.code:<7} {rule.slug:<{width}}  {rule.level:<8} {'yes' if rule.fixable else '':<3}  {rule.summary}")
    return EXIT_CLEAN


def explain_text(rule) -> str:
    cwe = ", ".join(f"CWE-{number}" for number in rule.cwe)
    header = f"# {rule.code} {rule.slug}\n\n{rule.summary}. Level: {rule.level}. {cwe}.\n"
    return header + "\n" + rule.doc + "\n"


def _explain(code: str) -> int:
    from linter.registry import load_rules

    rules = load_rules()
    wanted = code.upper()
    rule = rules.get(wanted) or next((r for r in rules.values() if r.slug == code.lower()), None)
    if rule is None:
        print(f"prodlint: error: no rule {code!r}; `prodlint rules` lists them", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(explain_text(rule))
    return EXIT_CLEAN


if __name__ == "__main__":
    raise SystemExit(main())
