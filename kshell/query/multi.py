"""A query result of several tables (the service returns three for funnel_sequence).

A plugin returns `Tables`: its first table, which the rest of the query pipes on, plus the
further tables.  Only a query that ends with such a plugin returns them all
(`kshell.query.run_all`); an operator after it works on the first table alone.
"""

from __future__ import annotations

from kshell.query.tabular import Tabular


class Tables(Tabular):
    __slots__ = ("more",)

    def __init__(self, first: Tabular, more: list[Tabular]):
        super().__init__(first.columns, first.data, first.rows, first.name)
        self.more = more
