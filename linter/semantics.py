"""Shared knowledge of TypeScript/JavaScript server code, built once for every rule.

What is server code, which names are secret-like, which identifiers alias `process.env`,
which code runs only in development, what a request handler is, which objects are
loggers. A fix here improves every rule that asks. Definitions follow RULES.md.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Iterator

from linter import ts
from linter.ts import Node

if TYPE_CHECKING:
    from linter.context import FileContext

# --- paths ---------------------------------------------------------------------------

_TEST_PARTS = {"__tests__", "__mocks__", "test", "tests", "integration", "e2e", "cypress", "playwright", "__fixtures__", "spec"}
_TEST_NAME = re.compile(r"\.(test|spec|e2e|cy)\.[cm]?[jt]sx?$")
_STORY_NAME = re.compile(r"\.stories\.[cm]?[jt]sx?$")
_SCRIPT_PARTS = {"scripts", "script", "bin", "cli", "tools"}
_CONFIG_NAME = re.compile(
    r"(^|/)([\w.-]+\.config|\.eslintrc|\.prettierrc|jest\.setup|vitest\.setup|babel\.config|webpack\.[\w.]+)\.[cm]?[jt]sx?$"
)


def path_parts(path: str) -> list[str]:
    return path.split("/")


_TEST_FOLDER = re.compile(r"(^|[-_.])(tests?|testing|e2e|specs?|fixtures|mocks?|test-?utils)([-_.]|$)")


def is_test_path(path: str) -> bool:
    """Test code: `*.test.*`/`*.spec.*` files, and folders such as `test/`, `__tests__/`,
    `integration-tests/`, `medusa-test-utils/`, `e2e/`, `cypress/`, `playwright/`."""
    parts = path_parts(path)
    if _TEST_NAME.search(parts[-1]):
        return True
    return any(_is_test_folder(part) for part in parts[:-1])


@lru_cache(maxsize=8192)
def _is_test_folder(name: str) -> bool:
    """Memoized: a monorepo's thousands of paths share a few hundred folder names."""
    return name in _TEST_PARTS or _TEST_FOLDER.search(name) is not None


def is_story_path(path: str) -> bool:
    return bool(_STORY_NAME.search(path))


def is_declaration_path(path: str) -> bool:
    return path.endswith((".d.ts", ".d.mts", ".d.cts"))


def is_script_path(path: str) -> bool:
    return any(part in _SCRIPT_PARTS for part in path_parts(path)[:-1])


def is_config_path(path: str) -> bool:
    return bool(_CONFIG_NAME.search(path))


# --- names ---------------------------------------------------------------------------

_SECRET_WORDS = {"SECRET", "SECRETS", "TOKEN", "TOKENS", "PASSWORD", "PASSWORDS", "PASSWD", "PWD", "CREDENTIAL", "CREDENTIALS", "SALT"}
_SECRET_PAIRS = {("PRIVATE", "KEY"), ("API", "KEY"), ("ACCESS", "KEY"), ("ENCRYPTION", "KEY"), ("SIGNING", "KEY"), ("SERVICE", "ROLE"), ("APIKEY",), ("SECRETKEY",)}
# Every word that can make a name secret-like: without one, no suffix or pair test can pass.
_SECRET_PAIR_WORDS = _SECRET_WORDS | {word for pair in _SECRET_PAIRS for word in pair}
_PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "PUBLIC_", "REACT_APP_", "EXPO_PUBLIC_", "GATSBY_")
_SETTING_SUFFIXES = {
    ("URL",), ("URI",), ("HOST",), ("PORT",), ("ID",), ("NAME",), ("PATH",), ("FILE",), ("TEMPLATE",),
    ("EXPIRY",), ("EXPIRES", "IN"), ("TTL",), ("LENGTH",), ("ENABLED",), ("DISABLED",), ("HEADER",), ("ALGORITHM",),
    ("ISSUER",), ("AUDIENCE",), ("DSN",), ("TYPE",), ("FIELD",), ("KEY", "NAME"), ("PREFIX",), ("MIN",),
    ("MAX",), ("ROUNDS",), ("COOKIE",), ("ENDPOINT",), ("REGEX",), ("PATTERN",), ("LABEL",), ("STRENGTH",),
    ("ROTATION",), ("STRATEGY",), ("MODE",), ("VERSION",), ("FORMAT",), ("ENCODING",),
}
_WORD_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def name_words(name: str) -> list[str]:
    """`jwtSecret` -> [JWT, SECRET]; `STRIPE_API_KEY` -> [STRIPE, API, KEY]."""
    return [word.upper() for part in re.split(r"[^A-Za-z0-9]+", name) for word in _WORD_SPLIT.findall(part)]


@lru_cache(maxsize=8192)  # object keys and names repeat across a project: `id`, `name`, `apiKey`
def is_secret_like(name: str, extra: tuple[str, ...] = (), public: tuple[str, ...] = ()) -> bool:
    if not name:
        return False
    upper = name.upper()
    if name in public or upper.startswith(_PUBLIC_PREFIXES):
        return False
    words = name_words(name)
    if not words:
        return False
    if name in extra or upper in (e.upper() for e in extra):
        return True
    if _SECRET_PAIR_WORDS.isdisjoint(words):
        return False  # the common case (`id`, `className`): skip the suffix scan below
    for suffix in _SETTING_SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix):]) == suffix:
            return False
    if any(word in _SECRET_WORDS for word in words):
        return True
    for pair in _SECRET_PAIRS:
        for index in range(len(words) - len(pair) + 1):
            if tuple(words[index : index + len(pair)]) == pair:
                return True
    return False


# --- small node helpers --------------------------------------------------------------

FUNCTION_TYPES = {
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
    "function",
}



@lru_cache(maxsize=16)
def _secret_name_parts(extra_names: tuple[str, ...]) -> tuple[tuple[bytes, ...], tuple[tuple[tuple[bytes, ...], re.Pattern], ...]]:
    """What any name `is_secret_like` accepts must hold, in lower-case bytes: (words, pairs),
    each pair as its words and a regex for them in a row. A configured `secret-names` entry
    (compared case-insensitively), a secret word (`SECRET`, `TOKEN`, …) or a secret pair (`API`
    then `KEY`); a name's consecutive words are adjacent or split by characters other than
    ASCII letters and digits, hence `api[^a-z0-9]*key`."""
    pairs = tuple(
        (tuple(word.lower().encode() for word in pair), re.compile(b"[^a-z0-9]*".join(word.lower().encode() for word in pair)))
        for pair in sorted(_SECRET_PAIRS) if len(pair) > 1
    )
    words = {word.lower().encode() for word in _SECRET_WORDS}
    words |= {pair[0].lower().encode() for pair in _SECRET_PAIRS if len(pair) == 1}
    words |= {name.lower().encode() for name in extra_names if name}
    # Each word is a search of the whole text: drop those that hold another word or a pair
    # (`secrets` holds `secret`, `apikey` holds `api`…`key`), since they cannot add a match.
    words = {
        word for word in words
        if not any(other != word and other in word for other in words) and not any(pattern.search(word) for _, pattern in pairs)
    }
    return tuple(sorted(words)), pairs


def may_hold_secret_name(lowered: bytes, extra: tuple[str, ...] = ()) -> bool:
    """Whether text (lower-cased bytes) can contain a name `is_secret_like` accepts: a cheap
    test that rules a whole file out before its names are judged one by one."""
    if extra and not lowered.isascii():
        return True  # `str.upper` maps some non-ASCII letters onto ASCII (`ſ` -> `S`): a configured name may hide
    words, pairs = _secret_name_parts(extra)
    if any(word in lowered for word in words):
        return True
    # A pair's regex scans slowly where its first word is common (`api`): look for both words first.
    return any(all(word in lowered for word in pair_words) and pattern.search(lowered) for pair_words, pattern in pairs)


def callee_path(call: Node) -> str:
    """Dotted path of a call's callee: `axios.get`, `this.logger.info`, `fetch`; '' if dynamic."""
    function = call.child_by_field_name("function")
    return member_path(function)


def member_path(node: Node | None) -> str:
    node = ts.unwrap(node)
    if node is None:
        return ""
    if node.type in ("identifier", "this", "property_identifier", "private_property_identifier", "shorthand_property_identifier"):
        return ts.text(node)
    if node.type == "member_expression":
        base = member_path(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        return f"{base}.{ts.text(prop)}" if base and prop is not None else ""
    if node.type == "subscript_expression":
        base = member_path(node.child_by_field_name("object"))
        key = ts.string_value(node.child_by_field_name("index"))
        return f"{base}.{key}" if base and key is not None else ""
    if node.type == "call_expression":  # require('x').y and fn().y chains
        return member_path(node.child_by_field_name("function")) + "()"
    if node.type == "meta_property" or ts.text(node) == "import.meta":
        return "import.meta"
    return ""


def parameter_names(function: Node) -> list[str]:
    """Names of a function's parameters, in order; "" for a destructured or defaulted one."""
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is None:
        return []
    if params.type == "identifier":
        return [ts.text(params)]
    names = []
    for param in params.named_children:
        pattern = param.child_by_field_name("pattern") if param.type in ("required_parameter", "optional_parameter") else param
        names.append(ts.text(pattern) if pattern is not None and pattern.type == "identifier" else "")
    return names


def call_arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [arg for arg in args.named_children if arg.type != "comment"]


def object_properties(obj: Node | None) -> dict[str, Node]:
    """Key -> value node of an object literal's plain properties (shorthand maps to the identifier)."""
    props: dict[str, Node] = {}
    obj = ts.unwrap(obj)
    if obj is None or obj.type != "object":
        return props
    for child in obj.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            name = ts.string_value(key) if key is not None and key.type == "string" else ts.text(key)
            props[name] = child.child_by_field_name("value")
        elif child.type == "shorthand_property_identifier":
            props[ts.text(child)] = child
        elif child.type == "method_definition":
            props[ts.text(child.child_by_field_name("name"))] = child
    return props


def has_spread(obj: Node | None) -> bool:
    obj = ts.unwrap(obj)
    return obj is not None and any(child.type == "spread_element" for child in obj.named_children)


def enclosing_function(node: Node) -> Node | None:
    for parent in ts.ancestors(node):
        if parent.type in FUNCTION_TYPES:
            return parent
    return None


def directive(root: Node) -> str:
    """The file's leading directive (`'use client'`, `'use server'`), if any."""
    for child in root.named_children:
        if child.type in ("comment", "hash_bang_line"):
            continue
        if child.type == "expression_statement":
            inner = child.named_children[0] if child.named_children else None
            value = ts.string_value(inner)
            if value is not None:
                return value
        return ""
    return ""


def function_directive(function: Node) -> str:
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return ""
    return directive(body)


# Variables that name the deployment environment, compared with 'production' / 'development'.
_DEPLOY_ENV = re.compile(r"^(NEXT_PUBLIC_|VITE_|PUBLIC_|EXPO_PUBLIC_)?(NODE_ENV|APP_ENV|VERCEL_ENV|DEPLOY_ENV|ENV|STAGE|ENVIRONMENT|RAILWAY_ENVIRONMENT_NAME)$")
_HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_ROUTER_METHODS = {"get", "post", "put", "patch", "delete", "del", "all", "head", "options", "use", "route"}
_NEXT_ROUTE = re.compile(r"(^|/)app/(.+/)?route\.[cm]?[jt]sx?$")
_PAGES_API = re.compile(r"(^|/)pages/api/.+\.[cm]?[jt]sx?$")

# --- loggers and what they must not be handed (TS105, TS203) ------------------------

_LOGGER_MODULES = {"pino", "winston", "bunyan", "loglevel", "consola", "signale", "log4js", "roarr", "tslog", "@nestjs/common", "common"}
_LOGGER_MODULE_PATH = re.compile(r"^[.@~#][^'\"]*/(logger|loggers|log|logging)(\.[cm]?[jt]s)?$")
_LOGGER_RECEIVERS = {
    "fastify.log", "app.log", "server.log", "req.log", "request.log", "reply.log", "ctx.log", "c.var.logger",
    "this.log", "this.logger", "this._logger", "Logger",
}
# A logger call names one of these methods (`logger.info`, `console['log']`), so a file without
# any of the words has no log call: rules that only judge log calls trigger on them.
LOG_METHODS = {"log", "info", "debug", "warn", "warning", "error", "trace", "fatal", "verbose", "silly", "http", "notice", "critical", "dir", "table"}
_PASS_THROUGH = {"JSON.stringify", "util.inspect", "inspect", "String", "Object.assign", "Object.entries", "Object.values", "structuredClone", "serialize"}
# Nouns whose whole value must not reach a log (RULES.md TS105). Only the last word counts:
# `accessToken` is a token, `userId` / `tokenExpiry` / `sessionCount` are chosen fields.
_SENSITIVE_WORDS = {
    "USER", "USERS", "ACCOUNT", "ACCOUNTS", "SESSION", "SESSIONS", "CREDENTIAL", "CREDENTIALS", "CREDS",
    "PASSWORD", "PASSWORDS", "PASSWD", "PWD", "TOKEN", "TOKENS", "SECRET", "SECRETS", "AUTHORIZATION",
    "HEADERS", "COOKIE", "COOKIES", "APIKEY", "JWT", "PRIVATEKEY",
}
_SENSITIVE_PAIRS = {("API", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("ACCESS", "KEY"), ("SIGNING", "KEY"), ("PASSWORD", "HASH")}
# `nextPageToken`, `totalTokens`, `maxTokens`: pagination cursors and LLM usage counts.
_NOT_SENSITIVE_WORDS = {"PAGE", "NEXT", "CURSOR", "PAGINATION", "CONTINUATION", "TOTAL", "INPUT", "OUTPUT", "PROMPT",
                        "COMPLETION", "MAX", "MIN", "USED", "REMAINING", "NUM", "COUNT", "CACHED", "REASONING", "CSRF", "XSRF"}
_CHOSEN_FIELD_KEYS = {"ID", "IDS", "NAME", "EMAIL", "COUNT", "TYPE", "STATUS", "LENGTH", "SIZE", "PRESENT", "SET", "EXISTS"}
_REQUEST_OBJECTS = {"req", "request", "ctx.request", "c.req", "event", "context.request", "ctx.req", "this.request"}


# `user`, `account`, `session` and `headers` name a whole record only when nothing before them
# says otherwise: `stripeAccount` is an account id, `dbUser` a user name, `responseHeaders` and
# `failHeaders` are what a server sent back, `partnersWithoutUserAccount` a list of partners.
_WEAK_WORDS = {"USER", "USERS", "ACCOUNT", "ACCOUNTS", "SESSION", "SESSIONS"}
_NOT_A_RECORD = {
    "STRIPE", "PAYPAL", "BANK", "CONNECT", "CONNECTED", "MERCHANT", "WITHOUT", "WITH", "FOR", "NO", "BY", "OF", "HAS",
    "IS", "DB", "DATABASE", "SMTP", "MAIL", "REDIS", "POSTGRES", "MYSQL", "CHAT", "BROWSER", "SOCIAL", "AD", "ADS",
}
_REQUEST_HEADER_WORDS = {"AUTH", "REQUEST", "REQ", "INCOMING", "AUTHORIZATION", "ALL", "RAW", "CLIENT", "ORIGINAL"}


def sensitive_name(name: str) -> bool:
    """`user`, `currentUser`, `session`, `accessToken`, `dbPassword`, `apiKey`, `headers`; not
    `userId`, `userName`, `tokenExpiry`, `nextPageToken`, `totalTokens`, `stripeAccount`."""
    words = name_words(name)
    if not words or any(word in _NOT_SENSITIVE_WORDS for word in words):
        return False
    last = words[-1]
    if last == "HEADERS":
        return len(words) == 1 or words[-2] in _REQUEST_HEADER_WORDS
    if last in _WEAK_WORDS and any(word in _NOT_A_RECORD for word in words[:-1]):
        return False
    return last in _SENSITIVE_WORDS or tuple(words[-2:]) in _SENSITIVE_PAIRS


def _sensitive_member(node: Node) -> bool:
    """`req.body`, `request.body`, `req.headers`, `req.headers.authorization`, `session.user`,
    `user.password`; not `user.id`, `user.email`, `res.headers`, `usage.totalTokens`."""
    path = member_path(node)
    if not path:
        return False
    receiver, _, last = path.rpartition(".")
    if last in ("body", "rawBody", "cookies", "signedCookies") and receiver in _REQUEST_OBJECTS:
        return True
    if receiver.rpartition(".")[2] == "headers" and receiver.rpartition(".")[0] in _REQUEST_OBJECTS | {""}:
        return sensitive_name(last.replace("-", "_"))
    if last == "headers":
        return receiver in _REQUEST_OBJECTS or receiver.endswith(("Request", "request", "req"))
    if "usage" in receiver.split("."):
        return False
    return sensitive_name(last)


class FileSemantics:
    """Facts about one file, computed on first use and shared by every rule."""

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.root = ctx.root
        self.path = ctx.source.scope
        config = ctx.config
        self.extra_secret_names = tuple(config.secret_names)
        self.public_names = tuple(config.public_names)

    # -- classification --

    @cached_property
    def directive(self) -> str:
        return directive(self.root)

    @cached_property
    def is_test(self) -> bool:
        return is_test_path(self.path)

    @cached_property
    def is_server_code(self) -> bool:
        path = self.path
        return not (
            is_test_path(path) or is_story_path(path) or is_declaration_path(path) or self.directive == "use client"
        )

    def is_secret_like(self, name: str) -> bool:
        return is_secret_like(name, self.extra_secret_names, self.public_names)

    # -- process.env --

    @cached_property
    def env_aliases(self) -> set[str]:
        """Identifiers bound to `process.env` / `import.meta.env` in this file."""
        aliases: set[str] = set()
        process_names = {"process"}
        for node in self.ctx.find("import_statement", "variable_declarator"):
            if node.type == "import_statement":
                source = ts.string_value(node.child_by_field_name("source"))
                if source in ("process", "node:process"):
                    for child in ts.walk(node):
                        if child.type == "import_specifier":
                            name = child.child_by_field_name("name")
                            alias = child.child_by_field_name("alias") or name
                            if ts.text(name) == "env":
                                aliases.add(ts.text(alias))
                        elif child.type in ("identifier",) and child.parent is not None and child.parent.type in ("import_clause", "namespace_import"):
                            process_names.add(ts.text(child))
            if node.type != "variable_declarator":
                continue
            value = ts.unwrap(node.child_by_field_name("value"))
            name = node.child_by_field_name("name")
            if value is None or name is None:
                continue
            path = member_path(value)
            if name.type == "identifier" and (path in {f"{p}.env" for p in process_names} or path == "import.meta.env"):
                aliases.add(ts.text(name))
            elif name.type == "object_pattern" and path in process_names:
                for binding, key, _default in destructured(name):
                    if key == "env":
                        aliases.add(binding)
        return aliases

    @cached_property
    def env_bindings(self) -> dict[str, str]:
        """Locals bound to one environment variable: `const { NODE_ENV, API_URL: url } = process.env`,
        `const secret = process.env.JWT_SECRET` -> {"NODE_ENV": "NODE_ENV", "url": "API_URL", "secret": "JWT_SECRET"}."""
        bindings: dict[str, str] = {}
        for node in self.ctx.find("variable_declarator"):
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is None or value is None:
                continue
            if name.type == "object_pattern" and self.is_env_object(value):
                for binding, key, _default in destructured(name):
                    bindings[binding] = key
            elif name.type == "identifier":
                env = self.env_name(value)
                if env is not None:
                    bindings[ts.text(name)] = env
        return bindings

    def env_name(self, node: Node | None) -> str | None:
        """The variable name when `node` reads an environment variable: `process.env.X`,
        `process.env['X']`, `import.meta.env.X`, `env.X` through an alias."""
        node = ts.unwrap(node)
        if node is None or node.type not in ("member_expression", "subscript_expression"):
            return None
        obj = node.child_by_field_name("object")
        base = member_path(obj)
        if not (base in ("process.env", "import.meta.env") or base in self.env_aliases):
            return None
        if node.type == "member_expression":
            return ts.text(node.child_by_field_name("property"))
        return ts.string_value(node.child_by_field_name("index"))

    def is_env_object(self, node: Node | None) -> bool:
        path = member_path(node)
        return path in ("process.env", "import.meta.env") or path in self.env_aliases

    # -- development guards --

    @cached_property
    def dev_flags(self) -> dict[str, bool]:
        """Identifiers bound to a development check (True) or a production check (False)."""
        flags: dict[str, bool] = {}
        for node in self.ctx.find("variable_declarator"):
            if node.type == "variable_declarator":
                name = node.child_by_field_name("name")
                value = node.child_by_field_name("value")
                if name is not None and name.type == "identifier" and value is not None:
                    kind = self._environment_check(value, flags)
                    if kind is not None:
                        flags[ts.text(name)] = kind
        return flags

    def _environment_check(self, node: Node | None, flags: dict[str, bool] | None = None) -> bool | None:
        """True if `node` is true only in development, False if true only in production."""
        node = ts.unwrap(node)
        if node is None:
            return None
        flags = self.dev_flags if flags is None else flags
        if node.type == "identifier":
            return flags.get(ts.text(node))
        if node.type == "unary_expression" and ts.text(node).startswith("!"):
            inner = self._environment_check(node.named_children[0] if node.named_children else None, flags)
            return None if inner is None else not inner
        if node.type == "member_expression":
            path = member_path(node)
            if path in ("import.meta.env.DEV",):
                return True
            if path in ("import.meta.env.PROD",):
                return False
            return None
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            op = ts.text(operator) if operator is not None else ""
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op in ("&&",):
                left_kind, right_kind = self._environment_check(left, flags), self._environment_check(right, flags)
                return True if True in (left_kind, right_kind) else None
            if op not in ("===", "==", "!==", "!="):
                return None
            for subject, literal in ((left, right), (right, left)):
                value = ts.string_value(literal)
                subject = ts.unwrap(subject)
                name = self.env_name(subject)
                if name is None and subject is not None and subject.type == "identifier":
                    name = self.env_bindings.get(ts.text(subject))  # const { NODE_ENV } = process.env
                if value is None or name is None or not _DEPLOY_ENV.match(name):
                    continue
                equal = op in ("===", "==")
                if value in ("development", "dev", "test", "local"):
                    return True if equal else None
                if value in ("production", "prod"):
                    return False if equal else True
        return None

    def is_development_only(self, node: Node) -> bool:
        """Inside a branch taken only under an explicit development check."""
        child = node
        for parent in ts.ancestors(node):
            if parent.type == "if_statement":
                kind = self._environment_check(parent.child_by_field_name("condition"))
                consequence = parent.child_by_field_name("consequence")
                alternative = parent.child_by_field_name("alternative")
                if kind is True and child == consequence:
                    return True
                if kind is False and alternative is not None and child == alternative:
                    return True
            elif parent.type == "ternary_expression":
                kind = self._environment_check(parent.child_by_field_name("condition"))
                if kind is True and child == parent.child_by_field_name("consequence"):
                    return True
                if kind is False and child == parent.child_by_field_name("alternative"):
                    return True
            elif parent.type == "binary_expression" and ts.text(parent.child_by_field_name("operator")) == "&&":
                if child == parent.child_by_field_name("right") and self._environment_check(parent.child_by_field_name("left")) is True:
                    return True
            elif parent.type in FUNCTION_TYPES or parent.type == "program":
                if self._guarded_by_early_return(parent, node):
                    return True
                if parent.type == "program":
                    return False
            child = parent
        return False

    def _guarded_by_early_return(self, scope: Node, node: Node) -> bool:
        """`if (process.env.NODE_ENV === 'production') return;` before `node` in the same body."""
        body = scope.child_by_field_name("body") if scope.type != "program" else scope
        if body is None:
            return False
        for statement in body.named_children:
            if statement.start_byte >= node.start_byte:
                break
            if statement.type == "if_statement" and self._environment_check(statement.child_by_field_name("condition")) is False:
                consequence = statement.child_by_field_name("consequence")
                if consequence is not None and any(n.type in ("return_statement", "throw_statement") for n in ts.walk(consequence)):
                    if statement.child_by_field_name("alternative") is None:
                        return True
        return False

    # -- request handlers --

    @cached_property
    def request_handlers(self) -> list[Node]:
        """Function nodes that serve HTTP requests or server actions, per RULES.md."""
        handlers: list[Node] = []
        path = self.path
        next_route = bool(_NEXT_ROUTE.search(path))
        pages_api = bool(_PAGES_API.search(path))
        use_server = self.directive == "use server"
        for node in self.root.named_children:
            if node.type != "export_statement":
                continue
            declaration = node.child_by_field_name("declaration") or node.child_by_field_name("value")
            is_default = any(child.type == "default" for child in node.children)
            for function, name in _exported_functions(declaration):
                if next_route and name in _HTTP_METHODS:
                    handlers.append(function)
                elif pages_api and is_default:
                    handlers.append(function)
                elif use_server and function is not None:
                    handlers.append(function)
            if pages_api and is_default and declaration is not None and declaration.type == "identifier":
                target = self.function_bound_to(ts.text(declaration))
                if target is not None:
                    handlers.append(target)
            if pages_api and is_default and declaration is not None and ts.unwrap(declaration).type == "call_expression":
                # export default withAuth(handler) / withSentry(withSession(handler))
                wrapped = ts.unwrap(declaration)
                while wrapped is not None and wrapped.type == "call_expression":
                    args = [ts.unwrap(arg) for arg in call_arguments(wrapped)]
                    named = next((arg for arg in args if arg is not None and arg.type == "identifier"), None)
                    if named is not None:
                        target = self.function_bound_to(ts.text(named))
                        if target is not None and target not in handlers:
                            handlers.append(target)
                        break
                    wrapped = next((arg for arg in args if arg is not None and arg.type == "call_expression"), None)
        # A function-level 'use server' spells its bytes out (string values keep escapes raw):
        # without them no function body needs its directive read.
        inline_actions = b"use server" in self.ctx.source.data
        for node in self.ctx.find("call_expression", *FUNCTION_TYPES) if inline_actions else self.ctx.find("call_expression"):
            if node.type == "call_expression":
                handlers.extend(h for h in self._routed_functions(node) if h not in handlers)
            elif node not in handlers and function_directive(node) == "use server":
                handlers.append(node)
        return handlers

    def function_bound_to(self, name: str) -> Node | None:
        for node in self.ctx.find("function_declaration", "variable_declarator"):
            if node.type == "function_declaration" and ts.text(node.child_by_field_name("name")) == name:
                return node
            if node.type == "variable_declarator" and ts.text(node.child_by_field_name("name")) == name:
                value = ts.unwrap(node.child_by_field_name("value"))
                if value is not None and value.type in FUNCTION_TYPES:
                    return value
                if value is not None and value.type == "call_expression":  # withAuth(async (req, res) => …)
                    for arg in call_arguments(value):
                        if ts.unwrap(arg).type in FUNCTION_TYPES:
                            return ts.unwrap(arg)
        return None

    def _routed_functions(self, call: Node) -> Iterator[Node]:
        function = call.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return
        method = ts.text(function.child_by_field_name("property"))
        if method not in _ROUTER_METHODS:
            return
        args = call_arguments(call)
        if args:
            first = ts.unwrap(args[0])
            routed = ts.string_value(first) is not None or (first is not None and first.type in ("template_string", "regex", "array"))
            if method == "route" and first is not None and first.type == "object":
                handler = object_properties(first).get("handler")
                handler = ts.unwrap(handler)
                if handler is not None and handler.type in FUNCTION_TYPES:
                    yield handler
                return
            if not routed:
                return
            for arg in args[1:]:
                arg = ts.unwrap(arg)
                if arg is not None and arg.type in FUNCTION_TYPES:
                    yield arg
                elif arg is not None and arg.type == "object":  # fastify.get(path, { schema, handler })
                    handler = ts.unwrap(object_properties(arg).get("handler"))
                    if handler is not None and handler.type in FUNCTION_TYPES:
                        yield handler
                elif arg is not None and arg.type == "identifier":
                    target = self.function_bound_to(ts.text(arg))
                    if target is not None:
                        yield target

    def enclosing_handler(self, node: Node) -> Node | None:
        handlers = self.request_handlers
        if not handlers:
            return None
        for parent in ts.ancestors(node):
            if parent in handlers:
                return parent
        return None

    # -- loggers (TS105, TS203) --

    @cached_property
    def logger_bindings(self) -> set[str]:
        """Identifiers bound to a logger instance in this file: `pino(...)`, `require('pino')(...)`,
        `winston.createLogger(...)`, `bunyan.createLogger(...)`, `createLogger` imported from
        winston/bunyan, `new Logger(...)`, `logger.child(...)`, plus config `logger-names`."""
        names = set(self.ctx.config.logger_names)
        factories: set[str] = set()  # local names of pino / createLogger / Logger
        modules: set[str] = set()  # local names of the winston / bunyan / pino modules
        for entry in self.ctx.module_facts["imports"]:
            if _LOGGER_MODULE_PATH.search(entry["spec"]):  # import { authLog } from '@/lib/logger'
                names.update(local for _, local in entry["names"] if local and local != "*")
                continue
            spec = entry["spec"].split("/")[-1] if entry["spec"].startswith("@") else entry["spec"]
            if entry["spec"] not in _LOGGER_MODULES and spec not in _LOGGER_MODULES:
                continue
            for imported, local in entry["names"]:
                if not local:
                    continue
                if imported in ("*", "default"):
                    modules.add(local)
                    factories.add(local)
                elif imported in ("createLogger", "pino", "Logger", "default", "logger"):
                    factories.add(local)
        for node in self.ctx.find("variable_declarator", "public_field_definition"):
            name = node.child_by_field_name("name")
            value = ts.unwrap(node.child_by_field_name("value"))
            if name is None or value is None or name.type not in ("identifier", "property_identifier", "private_property_identifier"):
                continue
            if value.type == "await_expression" and value.named_children:
                value = ts.unwrap(value.named_children[0])
            if value.type not in ("call_expression", "new_expression"):
                continue
            callee = value.child_by_field_name("function") if value.type == "call_expression" else value.child_by_field_name("constructor")
            path = member_path(callee)
            receiver, _, method = path.rpartition(".")
            if path == "require()":  # require('pino')(…)
                arg = call_arguments(callee)[0] if call_arguments(callee) else None
                factory = ts.string_value(arg) in _LOGGER_MODULES
            else:
                factory = path in factories
            if (
                factory
                or (receiver in modules and method in ("createLogger", "child", "pino"))
                or (method == "child" and (receiver in names or self._logger_receiver(receiver)))
            ):
                names.add(ts.text(name))
        return names

    def _logger_receiver(self, path: str) -> bool:
        if not path:
            return False
        last = path.rsplit(".", 1)[-1]
        if path in _LOGGER_RECEIVERS or last in ("logger", "log", "Logger", "_logger", "$logger") or last.endswith("Logger"):
            return True
        return path in self.ctx.config.logger_names or last in self.ctx.config.logger_names

    def is_logger_call(self, call: Node) -> bool:
        """A call that writes a log line: `console.*`, `logger.*`, `log.*`, `this.logger.*`,
        `fastify.log.*`, `req.log.*`, pino/winston/bunyan instances, configured logger names."""
        if call.type != "call_expression":
            return False
        function = call.child_by_field_name("function")
        if function is not None and function.type == "member_expression" and ts.text(function.child_by_field_name("property")) not in LOG_METHODS:
            return False  # most calls: decided by the method name without building the receiver's path
        path = member_path(function)
        receiver, _, method = path.rpartition(".")
        if not receiver or method not in LOG_METHODS:
            return False
        if receiver in ("console", "globalThis.console", "global.console", "window.console"):
            return True
        if receiver in self.logger_bindings:
            return True
        return self._logger_receiver(receiver)

    def sensitive_log_argument(self, call: Node) -> Node | None:
        """The argument (or the part of one) through which a logger call logs a whole sensitive
        object or value (`user`, `session`, `req.body`, `headers`, a token or secret), or None.
        Chosen fields (`user.id`), masked values (`redact(user)`) and development-only calls
        are None. TS105 reports exactly these calls; TS203 leaves them to TS105."""
        if not self.is_logger_call(call):
            return None
        for arg in call_arguments(call):
            found = self._sensitive_value(arg, 0)
            if found is not None:
                return None if self.is_development_only(call) else found
        return None

    @cached_property
    def request_body_locals(self) -> set[str]:
        """Locals that hold a whole request body: `const body = await req.json()`,
        `const data = req.body`, `const raw = await request.text()`, `JSON.parse(raw)` of one."""
        names: set[str] = set()
        for node in self.ctx.find("variable_declarator"):
            name = node.child_by_field_name("name")
            value = ts.unwrap(node.child_by_field_name("value"))
            if name is None or name.type != "identifier" or value is None:
                continue
            if value.type == "await_expression" and value.named_children:
                value = ts.unwrap(value.named_children[0])
            path = member_path(value).replace(".clone()", "")
            if value.type == "call_expression" and path == "JSON.parse()" and call_arguments(value):  # JSON.parse(await req.text())
                inner = ts.unwrap(call_arguments(value)[0])
                if inner is not None and inner.type == "await_expression" and inner.named_children:
                    inner_path = member_path(ts.unwrap(inner.named_children[0])).replace(".clone()", "")
                    if inner_path.endswith(".text()") and inner_path[: -len(".text()")] in _REQUEST_OBJECTS:
                        names.add(ts.text(name))
                        continue
            if value.type == "call_expression":
                receiver, _, method = path[:-2].rpartition(".") if path.endswith("()") else ("", "", "")
                args = call_arguments(value)
                body_method = any(path.startswith((f"{r}.body.", f"{r}.rawBody.")) for r in _REQUEST_OBJECTS)  # req.body.toString()
                if body_method or (receiver in _REQUEST_OBJECTS and method in ("json", "text", "formData")) or (
                    path == "JSON.parse()" and args and ts.text(ts.unwrap(args[0])) in names
                ):
                    names.add(ts.text(name))
            elif path.rpartition(".")[0] in _REQUEST_OBJECTS and path.rpartition(".")[2] in ("body", "rawBody"):
                names.add(ts.text(name))
        return names

    def _sensitive_value(self, node: Node | None, depth: int) -> Node | None:
        node = ts.unwrap(node)
        if node is None or depth > 6:
            return None
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier"):
            name = ts.text(node)
            return node if sensitive_name(name) or name in self.request_body_locals else None
        if kind in ("member_expression", "subscript_expression"):
            env = self.env_name(node)
            if env is not None:
                return node if self.is_secret_like(env) else None
            return node if _sensitive_member(node) else None
        if kind == "await_expression":
            return self._sensitive_value(node.named_children[0] if node.named_children else None, depth + 1)
        if kind == "spread_element":
            return self._sensitive_value(node.named_children[0] if node.named_children else None, depth + 1)
        if kind == "template_string":
            for part in node.named_children:
                if part.type == "template_substitution" and part.named_children:
                    found = self._sensitive_value(part.named_children[0], depth + 1)
                    if found is not None:
                        return found
            return None
        if kind == "binary_expression" and ts.text(node.child_by_field_name("operator")) == "+":
            return self._sensitive_value(node.child_by_field_name("left"), depth + 1) or self._sensitive_value(
                node.child_by_field_name("right"), depth + 1
            )
        if kind in ("object", "array"):
            for child in node.named_children:
                if child.type == "pair":
                    key = name_words(ts.text(child.child_by_field_name("key")))
                    if key and key[-1] in _CHOSEN_FIELD_KEYS:  # { accountId: event.account }
                        continue
                    found = self._sensitive_value(child.child_by_field_name("value"), depth + 1)
                else:
                    found = self._sensitive_value(child, depth + 1)
                if found is not None:
                    return found
            return None
        if kind == "call_expression":
            path = callee_path(node)
            args = call_arguments(node)
            if path in _PASS_THROUGH and args:
                return self._sensitive_value(args[0], depth + 1)
            if path.rsplit(".", 1)[-1] == "get" and args:  # req.headers.get('authorization'), cookies().get('session')
                key = ts.string_value(args[0])
                owner = member_path(node.child_by_field_name("function").child_by_field_name("object")) if node.child_by_field_name("function").type == "member_expression" else ""
                if key is not None and owner.rsplit(".", 1)[-1] in ("headers", "cookies", "headers()", "cookies()") and sensitive_name(key.replace("-", "_")):
                    return node
        return None


    @cached_property
    def rpc_procedures(self) -> list[Node]:
        """Resolver functions of tRPC procedures: the function handed to `.query(…)`,
        `.mutation(…)` or `.subscription(…)` on a chain that starts at a `…procedure`/`…Procedure`
        builder (`protectedProcedure.input(schema).mutation(async ({ ctx, input }) => …)`).
        Not in `request_handlers` (RULES.md does not name tRPC); `request_sources` and
        `is_request_derived` accept them as `handler` (`input` is request data, `ctx` is not)."""
        found: list[Node] = []
        for call in self.ctx.find("call_expression"):
            function = call.child_by_field_name("function")
            if function is None or function.type != "member_expression":
                continue
            if ts.text(function.child_by_field_name("property")) not in ("query", "mutation", "subscription"):
                continue
            root = function.child_by_field_name("object")
            while root is not None and root.type in ("call_expression", "member_expression"):
                inner = root.child_by_field_name("function") if root.type == "call_expression" else root.child_by_field_name("object")
                if inner is None:
                    break
                root = inner
            if root is None or not ts.text(root).lower().endswith("procedure") and "procedure" not in member_path(function).lower():
                continue
            for arg in call_arguments(call):
                arg = ts.unwrap(arg)
                if arg is not None and arg.type in FUNCTION_TYPES:
                    found.append(arg)
        return found

    # -- request-derived values (stable API: TS107, TS108) --

    def handler_parameters(self, handler: Node) -> frozenset[str]:
        """Names of `handler`'s parameters that carry the request itself (`req`, `request`, `ctx`,
        Hono's `c`, a Next.js `context`, server-action arguments, the `params`/`searchParams`
        of a destructured second argument). Subset of `request_sources(handler)`."""
        return self._request_flow(handler)[0]

    def request_sources(self, handler: Node) -> frozenset[str]:
        """Local names inside `handler` that hold attacker-chosen request data.

        Seeds are the handler's parameters: every plain identifier except response/next
        objects and server-made values (`res`, `reply`, `response`, `next`, `session`, `user`,
        `workspace`, …); from a destructured parameter only the request-shaped keys
        (`params`, `searchParams`, `query`, `body`, `req`, `request`, `headers`, `input`,
        `parsedInput`, `formData`, …) — a wrapper's `{ session, workspace, ctx }` is made by
        the server. Then, in document order up to a fixpoint, every local bound by
        `const`/`let`/`var`, plain assignment or `for … of` (destructuring included) to a value
        `is_request_derived` accepts: `const { id } = await params; const itemId = id;`.
        Names are not scope-resolved here; `is_request_derived` does leave out a name that a
        nested function's parameter shadows (`rows.map((row) => row.id)`)."""
        return self._request_flow(handler)[1]

    def is_request_derived(self, node: Node | None, handler: Node | None = None) -> bool:
        """True when the expression `node` evaluates to attacker-chosen request data inside
        `handler` (default: `enclosing_handler(node)`; False outside any handler).

        Accepted: names from `request_sources`; members and subscripts of such values
        (`req.params.id`, `req.query`, `req.body`, `body['id']`, `c.req`), except server-made
        members read directly off a request parameter (`req.user`, `req.session`, `req.auth`,
        `ctx.state`, `c.var`, `res.locals`, a tRPC `opts.ctx`) and Hono/Koa context getters (`c.get('user')`, `ctx.get(…)` on a `c`/`ctx`/`context` parameter);
        method calls on request data (`await request.json()`, `request.formData()`,
        `searchParams.get('id')`, `formData.get('id')`, `c.req.param('id')`, `id.trim()`);
        conversions and validators of request data — still attacker-chosen —
        (`Number(…)`, `parseInt`, `parseFloat`, `String`, `BigInt`, `decodeURIComponent`,
        `JSON.parse`, `Object.fromEntries`, zod/yup/joi `schema.parse/safeParse/validate(…)`,
        valibot `parse(schema, …)`, `new URL(request.url)`, `new ObjectId(id)`); `await`,
        `??`/`||`/`&&`/`+`, ternaries and template strings over any of these.
        Not accepted: calls that take the request but return server data (`getSession(req)`,
        `auth()`), constants, `session.user.id`."""
        node = ts.unwrap(node)
        if node is None:
            return False
        if handler is None:
            handler = self.enclosing_handler(node)
            if handler is None:
                return False
        params, names = self._request_flow(handler)
        return _derived(node, names, params, handler)

    def _request_flow(self, handler: Node) -> tuple[frozenset[str], frozenset[str]]:
        cache = self.__dict__.setdefault("_request_flow_cache", {})
        key = (handler.start_byte, handler.end_byte)
        if key in cache:
            return cache[key]
        params: set[str] = set()
        parameters = handler.child_by_field_name("parameters")
        single = handler.child_by_field_name("parameter")
        items = [single] if single is not None else (parameters.named_children if parameters is not None else [])
        for item in items:
            pattern = item.child_by_field_name("pattern") if item.type in ("required_parameter", "optional_parameter") else item
            if pattern is not None and pattern.type == "assignment_pattern":
                pattern = pattern.child_by_field_name("left")
            if pattern is None:
                continue
            if pattern.type == "identifier":
                if ts.text(pattern) not in _NOT_REQUEST_PARAMS:
                    params.add(ts.text(pattern))
            elif pattern.type == "object_pattern":
                for child in pattern.named_children:
                    if child.type == "shorthand_property_identifier_pattern" and ts.text(child) in _REQUEST_KEYS:
                        params.add(ts.text(child))
                    elif child.type == "object_assignment_pattern":
                        left = child.child_by_field_name("left")
                        if left is not None and ts.text(left) in _REQUEST_KEYS:
                            params.add(ts.text(left))
                    elif child.type == "pair_pattern":
                        key_node = child.child_by_field_name("key")
                        if ts.string_value(key_node) in _REQUEST_KEYS or ts.text(key_node) in _REQUEST_KEYS:
                            params.update(pattern_bindings(child.child_by_field_name("value")))
        names = set(params)
        bindings: list[tuple[Node, Node]] = []
        for node in self.ctx.find("variable_declarator", "assignment_expression", "for_in_statement"):
            if node.start_byte < handler.start_byte or node.end_byte > handler.end_byte:
                continue
            if node.type == "variable_declarator":
                target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            elif node.type == "assignment_expression":
                target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            else:
                target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            if target is not None and value is not None:
                bindings.append((target, value))
        frozen_params = frozenset(params)
        for _ in range(4):
            before = len(names)
            for target, value in bindings:
                if _derived(value, names, frozen_params, handler):
                    names.update(pattern_bindings(target))
            if len(names) == before:
                break
        cache[key] = (frozen_params, frozenset(names))
        return cache[key]


# Parameters that are not request data: response objects, `next`, and values a wrapper such
# as `withAuth(async (req, session) => …)` hands in after authenticating.
_NOT_REQUEST_PARAMS = {
    "res", "reply", "response", "resp", "next", "h", "session", "user", "currentUser", "auth", "workspace",
    "organization", "org", "team", "tenant", "account", "project", "env", "event_context", "info",
}
# Keys of a destructured handler parameter that hold request data.
_REQUEST_KEYS = {
    "params", "searchParams", "query", "body", "req", "request", "headers", "input", "rawInput",
    "parsedInput", "formData", "data", "args", "payload",
}
# Members of a request parameter that middleware fills in from the session, not the client.
_SERVER_MADE_MEMBERS = {
    "user", "session", "auth", "state", "locals", "var", "currentUser", "userId", "account", "tenant",
    "organization", "workspace", "log", "server", "app", "env", "context", "db", "prisma", "ctx",
}
# Hono/Koa context objects: `c.get('user')` reads what middleware stored, not the client.
_CONTEXT_PARAMS = {"c", "ctx", "context"}
_CONVERSIONS = {
    "Number", "parseInt", "parseFloat", "String", "BigInt", "Boolean", "decodeURIComponent", "decodeURI",
    "JSON.parse", "Object.fromEntries", "Number.parseInt", "Number.parseFloat", "Object.assign",
    "parse", "safeParse", "parseAsync", "safeParseAsync", "v.parse", "v.safeParse", "validate", "assert",
}
_PARSE_METHODS = {
    "parse", "safeParse", "parseAsync", "safeParseAsync", "validate", "validateSync", "validateAsync",
    "cast", "create", "decode", "assert", "mask",
}
_PASS_OPERATORS = {"??", "||", "&&", "+"}


def pattern_bindings(pattern: Node | None) -> list[str]:
    """Every local a binding target introduces: `id`, `{ id, params: { slug } }`, `[a, ...rest]`,
    skipping default values (`{ id = fallback }` binds `id` only)."""
    pattern = ts.unwrap(pattern)
    if pattern is None:
        return []
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [ts.text(pattern)]
    found: list[str] = []
    if pattern.type == "pair_pattern":
        return pattern_bindings(pattern.child_by_field_name("value"))
    if pattern.type in ("object_assignment_pattern", "assignment_pattern"):
        return pattern_bindings(pattern.child_by_field_name("left"))
    if pattern.type in ("object_pattern", "array_pattern", "rest_pattern"):
        for child in pattern.named_children:
            found.extend(pattern_bindings(child))
    return found


def _shadowed(node: Node, name: str, handler: Node) -> bool:
    """`name` at `node` is a parameter of a function nested in `handler` (`rows.map((row) => row.id)`)."""
    for parent in ts.ancestors(node):
        if parent == handler:
            return False
        if parent.type in FUNCTION_TYPES:
            single = parent.child_by_field_name("parameter")
            parameters = parent.child_by_field_name("parameters")
            items = [single] if single is not None else (parameters.named_children if parameters is not None else [])
            for item in items:
                pattern = item.child_by_field_name("pattern") if item.type in ("required_parameter", "optional_parameter") else item
                if name in pattern_bindings(pattern):
                    return True
    return False


def _derived(node: Node | None, names: frozenset[str] | set[str], params: frozenset[str], handler: Node | None = None) -> bool:
    node = ts.unwrap(node)
    if node is None:
        return False
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier"):
        name = ts.text(node)
        return name in names and (handler is None or not _shadowed(node, name, handler))
    if kind == "await_expression":
        return bool(node.named_children) and _derived(node.named_children[0], names, params, handler)
    if kind in ("member_expression", "subscript_expression"):
        obj = ts.unwrap(node.child_by_field_name("object"))
        if obj is not None and obj.type == "identifier" and ts.text(obj) in params:
            member = (
                ts.text(node.child_by_field_name("property"))
                if kind == "member_expression"
                else ts.string_value(node.child_by_field_name("index"))
            )
            if member in _SERVER_MADE_MEMBERS:
                return False
        return _derived(obj, names, params, handler)
    if kind == "call_expression":
        function = ts.unwrap(node.child_by_field_name("function"))
        args = call_arguments(node)
        if function is not None and function.type == "member_expression":
            obj = ts.unwrap(function.child_by_field_name("object"))
            method = ts.text(function.child_by_field_name("property"))
            if method in ("get", "var") and obj is not None and ts.text(obj) in params and ts.text(obj) in _CONTEXT_PARAMS:
                return False
            if method in _PARSE_METHODS and any(_derived(arg, names, params, handler) for arg in args):
                return True
            if _derived(obj, names, params, handler):
                return True
        return callee_path(node) in _CONVERSIONS and any(_derived(arg, names, params, handler) for arg in args)
    if kind == "new_expression":
        arguments = node.child_by_field_name("arguments")
        return arguments is not None and any(_derived(arg, names, params, handler) for arg in arguments.named_children)
    if kind == "template_string":
        return any(
            _derived(sub.named_children[0] if sub.named_children else None, names, params, handler)
            for sub in node.named_children
            if sub.type == "template_substitution"
        )
    if kind == "binary_expression":
        if ts.text(node.child_by_field_name("operator")) in _PASS_OPERATORS:
            return _derived(node.child_by_field_name("left"), names, params, handler) or _derived(
                node.child_by_field_name("right"), names, params, handler
            )
        return False
    if kind == "ternary_expression":
        return _derived(node.child_by_field_name("consequence"), names, params, handler) or _derived(
            node.child_by_field_name("alternative"), names, params, handler
        )
    return False


def destructured(pattern: Node) -> Iterator[tuple[str, str, Node | None]]:
    """(binding, key, default) for each property of an object pattern."""
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            yield ts.text(child), ts.text(child), None
        elif child.type == "object_assignment_pattern":
            left = child.child_by_field_name("left")
            right = child.child_by_field_name("right")
            if left is not None and left.type == "shorthand_property_identifier_pattern":
                yield ts.text(left), ts.text(left), right
        elif child.type == "pair_pattern":
            key = child.child_by_field_name("key")
            key_name = ts.string_value(key) if key is not None and key.type == "string" else ts.text(key)
            value = child.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                yield ts.text(value), key_name, None
            elif value is not None and value.type == "assignment_pattern":
                left = value.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    yield ts.text(left), key_name, value.child_by_field_name("right")


def _exported_functions(declaration: Node | None) -> Iterator[tuple[Node | None, str]]:
    if declaration is None:
        return
    declaration = ts.unwrap(declaration)
    if declaration.type in ("function_declaration", "generator_function_declaration"):
        yield declaration, ts.text(declaration.child_by_field_name("name"))
    elif declaration.type in ("lexical_declaration", "variable_declaration"):
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            value = ts.unwrap(declarator.child_by_field_name("value"))
            name = ts.text(declarator.child_by_field_name("name"))
            if value is not None and value.type in FUNCTION_TYPES:
                yield value, name
            elif value is not None and value.type == "call_expression":  # export const POST = withAuth(async (req) => …)
                for arg in call_arguments(value):
                    arg = ts.unwrap(arg)
                    if arg is not None and arg.type in FUNCTION_TYPES:
                        yield arg, name
    elif declaration.type in FUNCTION_TYPES:
        yield declaration, ""
    elif declaration.type == "call_expression":
        for arg in call_arguments(declaration):
            arg = ts.unwrap(arg)
            if arg is not None and arg.type in FUNCTION_TYPES:
                yield arg, ""
