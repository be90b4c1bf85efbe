"""prodlint: finds what would hurt a web product in production."""

__version__ = "0.1.0"
DOCS_URL = "https://github.com/prodlint/prodlint/blob/main/docs/rules.md"
INFORMATION_URI = "https://github.com/prodlint/prodlint"
