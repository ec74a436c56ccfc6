"""kshell.table_text draws tables byte for byte as tabulate does (or defers to it)."""

from __future__ import annotations

import string

from hypothesis import given, settings, strategies as st
from tabulate import tabulate

from kshell.table_text import format_table

ASCII = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=12)
ANY = st.text(max_size=8)


def reference(cells, headers, fmt, align):
    return tabulate(cells, headers=headers, tablefmt=fmt, disable_numparse=True, colalign=align)


@st.composite
def tables(draw, cell=ASCII):
    n = draw(st.integers(1, 5))
    headers = draw(st.lists(cell, min_size=n, max_size=n))
    rows = draw(st.lists(st.lists(cell, min_size=n, max_size=n), max_size=6))
    align = draw(st.lists(st.sampled_from(["left", "right"]), min_size=n, max_size=n))
    return rows, headers, align


@settings(max_examples=400, deadline=None)
@given(tables(), st.sampled_from(["psql", "github"]))
def test_ascii_tables_are_drawn_exactly_as_tabulate_draws_them(table, fmt):
    rows, headers, align = table
    got = format_table(rows, headers, fmt, align)
    assert got is not None
    assert got == reference(rows, headers, fmt, align)


@settings(max_examples=200, deadline=None)
@given(tables(ANY), st.sampled_from(["psql", "github"]))
def test_other_tables_are_exact_or_left_to_tabulate(table, fmt):
    rows, headers, align = table
    got = format_table(rows, headers, fmt, align)
    assert got is None or got == reference(rows, headers, fmt, align)


def test_multiline_and_wide_cells_are_left_to_tabulate():
    assert format_table([["a\nb"]], ["h"], "psql", ["left"]) is None
    assert format_table([["日本"]], ["h"], "psql", ["left"]) is None
