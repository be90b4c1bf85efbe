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
    scan.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
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
    scan.add_argument("--report-unused-ignores", action="store_true", help="report prodlint-ignore comments that silence nothing")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    commands.add_parser("lsp", help="run the language server on stdio")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from linter.registry import load_errors, load_rules

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
        result = scan(
            paths, config, root=root, jobs=args.jobs, extra_excludes=args.exclude,
            use_ignores=not args.no_ignores, cache_dir=cache_dir,
            report_unused_ignores=args.report_unused_ignores,
        )
    except ConfigError as error:
        print(f"prodlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR


    output = _render(args, result, config)
    if args.output:
        try:
            Path(args.output).write_text(output, encoding="utf-8")
        except OSError as error:
            print(f"prodlint: error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
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


def _render(args, result, config) -> str:
    if args.format == "json":
        from linter.report.json import render

        return render(result)
    if args.format == "sarif":
        from linter.report.sarif import render

        return render(result, args.category, config.levels)
    if args.format == "github":
        from linter.report.github import render

        return render(result)
    from linter.report.text import render

    color = not args.no_color and not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return render(result, color=color, quiet=args.quiet)


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
