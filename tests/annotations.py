"""The self-checking fixture convention.

A line whose only content is a comment holding an annotation applies to the next line that
is neither blank nor another annotation:

    // expect: TS201, TS105        a finding of each code must cover that line
    // ok: TS201 reason            no TS201 finding may cover it (a "must not flag" case)
    // known-miss: TS107 reason    strict xfail: fails once the finding appears

Every finding must cover an `expect` of its own code. `#`, `/* */` and `{/* */}` work too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ANNOTATION = re.compile(
    r"^\s*(?://|#|/\*|\{/\*)\s*(?P<kind>expect|ok|known-miss):\s*(?P<codes>[A-Z]{2,3}\d{3}(?:\s*,\s*[A-Z]{2,3}\d{3})*)(?P<reason>.*?)\s*(?:\*/\}?)?\s*$"
)


@dataclass
class Expectations:
    expect: dict[int, set[str]] = field(default_factory=dict)
    ok: dict[int, set[str]] = field(default_factory=dict)
    known_miss: dict[int, set[str]] = field(default_factory=dict)

    def codes(self) -> set[str]:
        return {code for table in (self.expect, self.ok, self.known_miss) for codes in table.values() for code in codes}


def parse_annotations(text: str) -> Expectations:
    result = Expectations()
    pending: list[tuple[str, set[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = ANNOTATION.match(line)
        if match:
            codes = {code.strip() for code in match.group("codes").split(",")}
            pending.append((match.group("kind"), codes))
            continue
        if not line.strip() or not pending:
            continue
        for kind, codes in pending:
            table = {"expect": result.expect, "ok": result.ok, "known-miss": result.known_miss}[kind]
            table.setdefault(number, set()).update(codes)
        pending = []
    return result
