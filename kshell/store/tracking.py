"""Which tables a request may have changed, so unchanged ones are not re-encoded.

Re-encoding every table after every request makes a 1,000-table cluster slow
(the cost grows with the whole metadata).  Instead, once a table has been
written, its class is switched to `TrackedTable`, a layout-identical subclass
of Table that notes (its id, the attribute name) whenever one of its
attributes is read or set: nothing can change a table's field (its columns,
policies, principals, extents, rows ...) without first reading or setting
that attribute, so a field not touched since the last write still has the
encoding that was written, and only touched fields are encoded again.

A field touched only by reading (e.g. an update-policy scan reading every
table's `policies`) is re-encoded and found unchanged: cheap for small
fields.  Tables of other classes (a subclass defined by some family) are
always re-encoded whole.
"""

from __future__ import annotations

from typing import Any

from kshell.engine.cluster import Table

# (id of a tracked table, attribute name) read or set since its store last wrote it.
touched: set[tuple[int, str]] = set()
_add = touched.add
_getattribute = object.__getattribute__
_setattr = Table.__setattr__
_delattr = Table.__delattr__


class TrackedTable(Table):
    """A Table whose attribute accesses are noted (see the module docstring)."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        _add((id(self), name))
        return _getattribute(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _add((id(self), name))
        _setattr(self, name, value)

    def __delattr__(self, name: str) -> None:
        _add((id(self), name))
        _delattr(self, name)


def track(table: Table) -> bool:
    """Start tracking `table` (a plain Table becomes a TrackedTable). False when it cannot be."""
    cls = type(table)
    if cls is Table:
        table.__class__ = TrackedTable
        return True
    return issubclass(cls, TrackedTable)


def touched_fields() -> dict[int, set[str]]:
    """id of a tracked table -> the attribute names touched since it was last written."""
    out: dict[int, set[str]] = {}
    for key, name in touched:
        out.setdefault(key, set()).add(name)
    return out


def forget(ids: set[int]) -> None:
    """These tables were just written as they are: nothing of theirs is touched any more."""
    if ids:
        touched.difference_update([pair for pair in touched if pair[0] in ids])
