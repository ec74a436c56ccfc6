"""Closed frequent pattern mining for the pattern plugins (kshell.query.plugins_patterns).

Rows are sets of items with a weight per set (one set for basket/autocluster, two for
diffpatterns).  A pattern is *frequent* when its weight reaches `threshold` of some set's
total; it is *closed* when no larger pattern matches the same rows.  Enumeration is LCM's
prefix-preserving closure extension (Uno et al.): each closed pattern is reached exactly
once, and an infrequent branch is cut at once.

Rows are bits of Python integers (one bit per distinct row), so intersecting patterns'
rows is one `&`; weights are summed by splitting integer weights into their binary digits
(one popcount per digit) rather than visiting rows one by one.
"""

from __future__ import annotations

from typing import Any, Callable

Item = Any


class TooManyPatterns(Exception):
    pass


class Miner:
    def __init__(self, rows: list[tuple[frozenset, tuple[float, ...]]], threshold: float,
                 limit: int = 50_000):
        distinct: dict[frozenset, list[float]] = {}
        for items, w in rows:
            acc = distinct.setdefault(items, [0.0] * len(w))
            for k, x in enumerate(w):
                acc[k] += x
        self.sides = len(rows[0][1]) if rows else 1
        self.totals = [sum(w[k] for w in distinct.values()) for k in range(self.sides)]
        self.need = [threshold * t - 1e-9 if t > 0 else float("inf") for t in self.totals]
        self.limit = limit
        keys = list(distinct)
        self.weights = [distinct[k] for k in keys]
        self.all = (1 << len(keys)) - 1
        tid: dict[Item, int] = {}
        for i, items in enumerate(keys):
            for it in items:
                tid[it] = tid.get(it, 0) | (1 << i)
        self._digits = self._weight_digits()
        # Only items frequent on their own can be in a frequent pattern.
        frequent = [(it, bits) for it, bits in tid.items() if self.frequent(bits)]
        frequent.sort(key=lambda ib: (-ib[1].bit_count(), repr(ib[0])))
        self.items = [it for it, _b in frequent]
        self.tid = [b for _it, b in frequent]
        self.index = {it: i for i, it in enumerate(self.items)}

    # ------------------------------------------------------------ weights
    def _weight_digits(self) -> list[list[tuple[int, int]]] | None:
        """Per set: (digit value, rows having it) for non-negative integer weights; None otherwise."""
        out = []
        for k in range(self.sides):
            ws = [w[k] for w in self.weights]
            if any(x < 0 or x != int(x) for x in ws):
                return None
            digits = []
            top = int(max(ws, default=0)).bit_length()
            for b in range(top):
                mask = 0
                for i, x in enumerate(ws):
                    if int(x) >> b & 1:
                        mask |= 1 << i
                if mask:
                    digits.append((1 << b, mask))
            out.append(digits)
        return out

    def support(self, bits: int) -> list[float]:
        if self._digits is not None:
            return [float(sum(v * (bits & m).bit_count() for v, m in d)) for d in self._digits]
        out = [0.0] * self.sides
        i = 0
        while bits:
            if bits & 1:
                for k in range(self.sides):
                    out[k] += self.weights[i][k]
            bits >>= 1
            i += 1
        return out

    def frequent(self, bits: int) -> bool:
        return any(s >= n for s, n in zip(self.support(bits), self.need))

    def rows_of(self, pattern: frozenset) -> int:
        bits = self.all
        for it in pattern:
            i = self.index.get(it)
            if i is None:
                return 0
            bits &= self.tid[i]
        return bits

    def closure(self, bits: int) -> frozenset:
        """The items every row in `bits` holds."""
        return frozenset(self.items[j] for j, t in enumerate(self.tid) if bits & t == bits) if bits else frozenset()

    # ------------------------------------------------------------ enumeration
    def closed(self, max_size: int | None = None,
               keep: Callable[[frozenset, list[float]], bool] | None = None) -> dict[frozenset, list[float]]:
        """Every frequent closed pattern (at most max_size items) with its weight per set."""
        out: dict[frozenset, list[float]] = {}
        if not self.items:
            return out
        tids = self.tid

        def add(pattern: set[int], bits: int) -> None:
            key = frozenset(self.items[j] for j in pattern)
            w = self.support(bits)
            if key and (keep is None or keep(key, w)):
                out[key] = w
                if len(out) > self.limit:
                    raise TooManyPatterns

        def close(bits: int) -> set[int]:
            return {j for j, t in enumerate(tids) if bits & t == bits}

        stack = [(close(self.all), self.all, -1)]
        while stack:
            pattern, bits, core = stack.pop()
            if max_size is not None and len(pattern) > max_size:
                continue
            add(pattern, bits)
            for e in range(len(tids) - 1, core, -1):
                if e in pattern:
                    continue
                nb = bits & tids[e]
                if not nb or not self.frequent(nb):
                    continue
                q = close(nb)
                # prefix-preserving: the closure adds no item before e (else it is reached elsewhere)
                if any(j < e and j not in pattern for j in q):
                    continue
                stack.append((q, nb, e))
        return out
