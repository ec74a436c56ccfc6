"""Prints the documented-examples match rate by page family (the table of docs/query-engine.md).

Usage: python tests/docs_outputs_report.py [--misses] [--family NAME]
Runs every example of ../shared/corpus/docs-outputs.jsonl in-process (a few seconds).
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docs_outputs_support as S  # noqa: E402


def main(argv: list[str]) -> int:
    if not S.CORPUS.exists():
        print(f"corpus not found: {S.CORPUS}")
        return 1
    show_misses = "--misses" in argv
    only = argv[argv.index("--family") + 1] if "--family" in argv else None
    per: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    misses = []
    for ex in S.load():
        fam = S.family(ex["source"])
        if only and fam != only:
            continue
        o = S.run_example(ex)
        per[fam][o.status] += 1
        if o.status not in ("match", "skip"):
            misses.append((fam, o))
    print("| Family | Comparable | Match | Rate | Wrong table | Error | Not comparable |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    tot = collections.Counter()
    for fam in sorted(per, key=lambda f: -sum(per[f].values())):
        c = per[fam]
        tot.update(c)
        print(_row(fam, c))
    print(_row("**all**", tot))
    if show_misses:
        from test_docs_outputs import KNOWN_DIFFERENCES
        print("\n| Example | Family | Reason |\n|---|---|---|")
        for fam, o in sorted(misses, key=lambda m: (m[0], S.key(m[1].example))):
            reason = KNOWN_DIFFERENCES.get(S.key(o.example)) or f"UNLISTED {o.status}: {o.detail}"
            print(f"| {S.key(o.example)} | {fam} | {reason.replace('|', '/')} |")
    return 0


def _row(name: str, c: collections.Counter) -> str:
    comparable = c["match"] + c["mismatch"] + c["error"] + c["timeout"]
    rate = f"{100 * c['match'] / comparable:.0f}%" if comparable else "-"
    return (f"| {name} | {comparable} | {c['match']} | {rate} | {c['mismatch']} | "
            f"{c['error'] + c['timeout']} | {c['skip']} |")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
