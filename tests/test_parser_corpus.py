"""The parser over every Kusto code block of the ADX docs (../shared/corpus).

Each block is split into requests as a script is; every block must either
parse or raise KustoSyntaxError (never another exception).  Per family, over
the blocks Microsoft's own parser accepts (`ms_syntax_ok`) and that hold no
`<placeholder>`, the share kshell parses must reach the issue's thresholds.
Run with `-s` to see the rates (docs/parser-coverage.md records them).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from kshell.errors import KustoSyntaxError
from kshell.script import split_requests
from kshell.syntax import parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "docs-kusto-blocks.jsonl"

IN_SCOPE = ("managed_identity_policy", "security_roles", "update_policy", "row_level_security",
            "continuous_export", "external_table", "table", "function", "database", "ingestion")
THRESHOLDS = {**{f: 0.95 for f in IN_SCOPE}, "query": 0.80}

PLACEHOLDER = re.compile(r"<[A-Za-z][\w .-]*>")

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason=f"corpus not found at {CORPUS} (../shared absent)")


def check_block(text: str) -> str | None:
    """None when every request of the block parses, else the first error message.
    Any exception other than KustoSyntaxError propagates (that is a parser bug)."""
    try:
        for request in split_requests(text):
            if request.is_directive:
                continue
            parse(request.text)
    except KustoSyntaxError as e:
        return f"{e.line}:{e.column}: {e.message}"
    return None


@pytest.fixture(scope="module")
def outcome():
    blocks = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    crashes = []
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rejected = [0, 0]  # blocks Microsoft rejects: [count, also rejected by kshell]
    failures: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for block in blocks:
        try:
            error = check_block(block["text"])
        except Exception as e:  # noqa: BLE001 - the point of the test
            crashes.append((block["id"], repr(e)))
            continue
        if not block["ms_syntax_ok"]:
            rejected[0] += 1
            rejected[1] += error is not None
            continue
        if PLACEHOLDER.search(block["text"]):
            continue
        counts = rates[block["family"]]
        counts[0] += 1
        counts[1] += error is None
        if error is not None:
            failures[block["family"]].append((block["id"], error))
    print("\nparser corpus: family, parsed / accepted by Microsoft's parser")
    for family in sorted(rates):
        n, ok = rates[family]
        print(f"  {family:26s} {ok:5d} / {n:5d}  {ok / n:6.1%}")
    if rejected[0]:
        print(f"  blocks Microsoft rejects that kshell rejects too: {rejected[1]} / {rejected[0]}"
              f" ({rejected[1] / rejected[0]:.1%})")
    return {"crashes": crashes, "rates": dict(rates), "failures": dict(failures), "count": len(blocks)}


def test_corpus_is_there(outcome):
    assert outcome["count"] > 2000


def test_no_block_raises_anything_but_a_syntax_error(outcome):
    assert outcome["crashes"] == []


@pytest.mark.parametrize("family", sorted(THRESHOLDS))
def test_family_parse_rate(outcome, family):
    n, ok = outcome["rates"].get(family, (0, 0))
    assert n > 0, f"no accepted blocks of family {family}"
    rate = ok / n
    worst = outcome["failures"].get(family, [])[:5]
    assert rate >= THRESHOLDS[family], f"{family}: {ok}/{n} = {rate:.1%}; first failures: {worst}"
