"""Configuration: `[tool.prodlint]` in `pyproject.toml` or `.prodlint.toml`, found by walking
up from the scanned path, then command-line options on top.

Every key is declared in `KEYS` with its type; an unknown key or a bad value is a
`ConfigError` whose message names the file and the key (the CLI turns it into exit 2).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from linter.finding import LEVELS


class ConfigError(Exception):
    pass


CODE_PATTERN = re.compile(r"^[A-Z]{2,3}\d{0,3}$")
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*$", re.IGNORECASE)


def _parse_size(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        match = SIZE_PATTERN.match(value)
        if match:
            unit = match.group(2).upper().rstrip("B")
            factor = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]
            return int(float(match.group(1)) * factor)
    raise ValueError("expected a size such as 2097152 or \"2MB\"")


def _str_list(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError("expected a list of strings")


def _codes(value) -> list[str]:
    codes = [code.strip().upper() for code in _str_list(value)]
    for code in codes:
        if code != "ALL" and not CODE_PATTERN.match(code):
            raise ValueError(f"{code!r} is not a rule code or prefix (like TS101 or TS)")
    return codes


def _levels(value) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("expected a table of CODE = \"error\" | \"warning\" | \"note\"")
    levels = {}
    for code, level in value.items():
        if not CODE_PATTERN.match(code.upper()) or level not in LEVELS:
            raise ValueError(f"{code} = {level!r}: expected a rule code and one of {', '.join(LEVELS)}")
        levels[code.upper()] = level
    return levels


def _per_file(value) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError("expected a table of \"glob\" = [codes]")
    return {glob: _codes(codes) for glob, codes in value.items()}


def _file_pairs(value) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError("expected a table of \"base compose file glob\" = [override file globs]")
    return {base: _str_list(overrides) for base, overrides in value.items()}


def _positive_number(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise ValueError("expected a positive number")


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


def _rule_options(value) -> dict[str, dict]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("expected tables like [tool.prodlint.rules.TS201]")
    return {code.upper(): dict(options) for code, options in value.items()}


def _file_name(value) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError("expected a file name")


def _fail_on(value) -> str:
    if value in LEVELS:
        return value
    raise ValueError(f"expected one of {', '.join(LEVELS)}")


# key -> (attribute, parser)
KEYS = {
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "exclude": ("exclude", _str_list),
    "per-file-ignores": ("per_file_ignores", _per_file),
    "levels": ("levels", _levels),
    "secret-names": ("secret_names", _str_list),
    "public-names": ("public_names", _str_list),
    "owner-columns": ("owner_columns", _str_list),
    "logger-names": ("logger_names", _str_list),
    "max-file-size": ("max_file_size", _parse_size),
    "time-budget": ("time_budget", _positive_number),
    "fail-on": ("fail_on", _fail_on),
    "require-ignore-reason": ("require_ignore_reason", _bool),
    "compose-files": ("compose_files", _str_list),
    "workflow-files": ("workflow_files", _str_list),
    "compose-overrides": ("compose_overrides", _file_pairs),
    "rules": ("rule_options", _rule_options),
    "baseline": ("baseline", _file_name),
}


@dataclass
class Config:
    root: Path = field(default_factory=Path.cwd)  # the folder holding the config file, or the scan root
    source: Path | None = None  # the config file, if any
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    secret_names: list[str] = field(default_factory=list)
    public_names: list[str] = field(default_factory=list)
    owner_columns: list[str] = field(default_factory=list)
    logger_names: list[str] = field(default_factory=list)
    max_file_size: int = 2 * 1024 * 1024
    time_budget: float = 10.0
    fail_on: str = "warning"
    require_ignore_reason: bool = False
    compose_files: list[str] = field(default_factory=list)
    workflow_files: list[str] = field(default_factory=list)
    compose_overrides: dict[str, list[str]] = field(default_factory=dict)
    rule_options: dict[str, dict] = field(default_factory=dict)
    baseline: str = ""  # relative to the config file's folder

    def apply(self, table: dict, origin: str) -> None:
        for key, value in table.items():
            if key not in KEYS:
                known = ", ".join(sorted(KEYS))
                raise ConfigError(f"{origin}: unknown key `{key}` (known keys: {known})")
            attribute, parse = KEYS[key]
            try:
                setattr(self, attribute, parse(value))
            except ValueError as error:
                raise ConfigError(f"{origin}: `{key}`: {error}") from None

    def is_selected(self, code: str) -> bool:
        def matches(patterns: list[str]) -> int:
            return max((len(p) for p in patterns if p == "ALL" or code.startswith(p)), default=-1)

        # the more specific of select/ignore wins, as in ruff
        selected, ignored = matches(self.select), matches(self.ignore)
        return selected >= 0 and selected > ignored

    def ignored_for_path(self, code: str, path: str) -> bool:
        for glob, codes in self.per_file_ignores.items():
            if path_matches(path, glob) and any(c == "ALL" or code.startswith(c) for c in codes):
                return True
        return False

    def level_for(self, code: str, default: str) -> str:
        return self.levels.get(code, default)

    def options_for(self, rule) -> dict:
        given = self.rule_options.get(rule.code, {})
        options = {}
        for name, option in rule.options.items():
            value = given.get(name, option.default)
            if not isinstance(value, option.type) or isinstance(value, bool) != (option.type is bool):
                raise ConfigError(f"{self.origin}: `rules.{rule.code}.{name}`: expected {option.type.__name__}")
            options[name] = value
        return options

    def validate_rules(self, rules: dict) -> None:
        for code, given in self.rule_options.items():
            if code not in rules:
                raise ConfigError(f"{self.origin}: `rules.{code}`: no such rule")
            unknown = set(given) - set(rules[code].options)
            if unknown:
                known = ", ".join(sorted(rules[code].options)) or "none"
                raise ConfigError(f"{self.origin}: `rules.{code}`: unknown option `{sorted(unknown)[0]}` (options: {known})")
            self.options_for(rules[code])
        for code in self.levels:
            if code not in rules:
                raise ConfigError(f"{self.origin}: `levels.{code}`: no such rule")

    @property
    def origin(self) -> str:
        return str(self.source) if self.source else "configuration"


def path_matches(path: str, glob: str) -> bool:
    """Glob match on a POSIX relative path; a pattern without `/` matches any basename."""
    glob = glob.removeprefix("./")
    if fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path, glob.rstrip("/") + "/*"):
        return True
    if "/" not in glob.rstrip("/"):
        return any(fnmatch.fnmatchcase(part, glob.rstrip("/")) for part in path.split("/"))
    return False


def find_config_file(start: Path) -> Path | None:
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate_dir in (folder, *folder.parents):
        dotfile = candidate_dir / ".prodlint.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "prodlint" in data.get("tool", {}):
                return pyproject
        if (candidate_dir / ".git").exists():
            break
    return None


def load_config(start: Path, explicit: Path | None = None) -> Config:
    path = explicit or find_config_file(start)
    if path is None:
        root = start.resolve()
        return Config(root=root if root.is_dir() else root.parent)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table = data.get("tool", {}).get("prodlint", {}) if path.name == "pyproject.toml" else data
    if path.name != "pyproject.toml" and "tool" in data and "prodlint" in data["tool"]:
        table = data["tool"]["prodlint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.prodlint] must be a table")
    config = Config(root=path.parent.resolve(), source=path)
    config.apply(table, str(path))
    return config
