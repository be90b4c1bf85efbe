"""## What it finds

`prodlint-ignore` comments that cannot be read (`// prodlint-ignore fetch please`), that lack
a reason when `require-ignore-reason = true`, and — with `--report-unused-ignores` — comments
that silence nothing, because the finding they were written for is gone or never matched
their line.

## Why it matters in production

A suppression is a promise that someone looked at a risk and accepted it. A malformed one
silently silences nothing, so the risk ships unreviewed; a stale one outlives the code it was
about and will quietly hide the next, unrelated finding on that line. Keeping suppressions
exact keeps them meaningful for auditors.

## Example

```ts
const res = await fetch(url, { signal }); // prodlint-ignore TS201: streaming
// prodlint-ignore fetch-without-timeout
```

## Use instead

```ts
const res = await fetch(url, { signal });
// prodlint-ignore TS201: the client closes this long-poll request
```

## Not flagged

Comments that silence a finding on their line (or, alone on a line, on the next code line);
file-wide `prodlint-ignore-file CODE` comments that silence at least one finding.

## How to suppress

PL001 cannot be suppressed with a comment (that comment would be the next unused one):
deselect it with `ignore = ["PL001"]` in the configuration.
"""

from linter.registry import rule


@rule(
    code="PL001",
    slug="unused-suppression",
    level="warning",
    cwe=1164,
    summary="A prodlint-ignore comment that is malformed or silences nothing",
    target="engine",
    precision="very-high",
    security_severity=1.0,
    tags=("maintainability",),
)
def check(ctx):
    """Made by the engine when it resolves suppressions (`linter/engine.py`); never run per file."""
    return ()
