"""docs/query-engine.md's "Not simulated" list is the catalog's, item for item: the page
cannot claim less (or more) than kshell runs."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from kshell.catalog import entries

PAGE = Path(__file__).resolve().parents[1] / "docs" / "query-engine.md"


def expected_bullets() -> str:
    """The list as the page should print it: one bullet per reason, names in catalog order."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for e in entries():
        if not e.simulated and e.name not in by_reason[e.reason]:
            by_reason[e.reason].append(e.name)
    order = sorted(by_reason, key=lambda r: (r == "not implemented yet", r))
    return "\n".join(f"* **{r}**: " + ", ".join(f"`{n}`" for n in by_reason[r]) + "." for r in order)


def test_the_not_simulated_list_of_the_page_is_the_catalogs():
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Not simulated", 1)[1].split("\n## ", 1)[0]
    bullets = "\n".join(line for line in section.splitlines() if line.startswith("* **"))
    assert bullets == expected_bullets(), (
        "docs/query-engine.md 'Not simulated' differs from the catalog; the list should read:\n"
        + expected_bullets())


def test_every_reason_is_more_than_a_word():
    for e in entries():
        if not e.simulated:
            assert len(re.findall(r"\w+", e.reason)) >= 3, e
