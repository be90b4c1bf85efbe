"""Test-wide setup: the result cache lives in a per-session temporary folder, never in ~/.cache."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("PRODLINT_CACHE_DIR", tempfile.mkdtemp(prefix="prodlint-test-cache-"))
