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

The cluster and its databases are tracked the same way, except that reads of
their *sealed* fields are not noted (`sealed_variant`): kshell.store.parts
decides which fields hold only values that note their own changes
(TrackedDict, TrackedList, records noting assignments, immutable values).
"""

from __future__ import annotations

from typing import Any

from kshell.engine.cluster import Cluster, Database, Table
from kshell.syntax.records import Record

_record_eq = Record.__eq__

# (id of a tracked table, attribute name) read or set since its store last wrote it.
touched: set[tuple[int, str]] = set()
_add = touched.add
_getattribute = object.__getattribute__
_setattr = Table.__setattr__
_delattr = Table.__delattr__


class TrackedTable(Table):
    """A Table whose attribute accesses are noted (see the module docstring)."""

    __slots__ = ()
    __kshell_tracked__ = True

    def __getattribute__(self, name: str) -> Any:
        _add((id(self), name))
        return _getattribute(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _add((id(self), name))
        _setattr(self, name, value)

    def __delattr__(self, name: str) -> None:
        _add((id(self), name))
        _delattr(self, name)


def _tracked_subclass(base: type) -> type:
    """A layout-identical subclass of `base` whose attribute accesses are noted."""
    get, set_, del_ = object.__getattribute__, base.__setattr__, base.__delattr__

    def __getattribute__(self, name: str) -> Any:
        _add((id(self), name))
        return get(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _add((id(self), name))
        set_(self, name, value)

    def __delattr__(self, name: str) -> None:
        _add((id(self), name))
        del_(self, name)

    ns = {"__slots__": (), "__kshell_tracked__": True, "__getattribute__": __getattribute__,
          "__setattr__": __setattr__, "__delattr__": __delattr__, "__module__": __name__,
          "__qualname__": "Tracked" + base.__name__}
    return type("Tracked" + base.__name__, (base,), ns)


# The cluster and its databases are tracked like tables (kshell.store.parts
# stores them field by field): plain class -> its tracked subclass.
TRACKED = {Table: TrackedTable, Cluster: _tracked_subclass(Cluster), Database: _tracked_subclass(Database)}
_TRACKED_CLASSES = set(TRACKED.values())


def _raw_getter(base: type, name: str) -> Any:
    """Reads field `name` of a `base` instance as `base` stores it (its slot, or its __dict__)."""
    for k in base.__mro__:
        d = k.__dict__.get(name)
        if d is not None and type(d).__name__ == "member_descriptor":
            return d
    return None


_VARIANTS: dict[tuple[type, frozenset], type] = {}


def sealed_variant(base: type, open_names: frozenset) -> type | None:
    """A layout-identical subclass of Cluster or Database (`base`) that notes every
    assignment but only reads of the fields in `open_names`: the other fields hold
    values that note their own changes (kshell.store.parts decides which), so
    reading them costs nothing.  None when `base` does not keep its fields in
    slots (the fully noting subclass is used then)."""
    key = (base, open_names)
    cls = _VARIANTS.get(key)
    if cls is not None:
        return cls
    set_, del_ = base.__setattr__, base.__delattr__

    def __setattr__(self, name: str, value: Any) -> None:
        _add((id(self), name))
        set_(self, name, value)

    def __delattr__(self, name: str) -> None:
        _add((id(self), name))
        del_(self, name)

    ns: dict[str, Any] = {"__slots__": (), "__kshell_tracked__": True, "__setattr__": __setattr__,
                          "__delattr__": __delattr__, "__module__": __name__,
                          "__qualname__": "Tracked" + base.__name__}
    for name in open_names:
        member = _raw_getter(base, name)
        if member is None:
            return None

        def get(self: Any, _get: Any = member.__get__, _name: str = name) -> Any:
            _add((id(self), _name))
            return _get(self)

        ns[name] = property(get, member.__set__, member.__delete__)
    cls = _VARIANTS[key] = type("Tracked" + base.__name__, (base,), ns)
    _TRACKED_CLASSES.add(cls)
    return cls


def seal(record: Any, open_names: frozenset) -> None:
    """Note reads of `record` (a tracked Cluster or Database) only for `open_names`."""
    cls = type(record)
    base = cls.__mro__[1] if cls.__dict__.get("__kshell_tracked__") else cls
    variant = sealed_variant(base, open_names) or TRACKED.get(base)  # (else: every read noted)
    if variant is not None and variant is not cls:
        record.__class__ = variant


def _noting(*names: str) -> Any:
    """Class decorator: the base class's mutating methods `names`, each noting (the
    container's id, "=") before it runs."""

    def decorate(cls: type) -> type:
        base = cls.__mro__[1]
        for name in names:
            setattr(cls, name, _noting_method(getattr(base, name), name))
        return cls

    return decorate


def _noting_method(method: Any, name: str) -> Any:
    def noted(self: Any, *args: Any, **kwargs: Any) -> Any:
        _add((id(self), "="))
        return method(self, *args, **kwargs)

    noted.__name__ = name
    return noted


@_noting("__setitem__", "__delitem__", "pop", "popitem", "clear", "update", "setdefault", "__ior__")
class TrackedDict(dict):
    """A dict whose changes are noted as (its id, "=").  The state file builds the
    dicts it stores entry by entry (databases, identities, tables ...) as
    TrackedDicts when it reads them, before anything else holds them, so an
    unchanged one is recognised without looking at its entries."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Copies (deepcopy, pickle) are plain dicts: only the stored one is watched.
        return (dict, (dict(self),))


@_noting("__setitem__", "__delitem__", "__iadd__", "__imul__", "append", "extend", "insert", "pop", "remove",
         "clear", "sort", "reverse")
class TrackedList(list):
    """A list whose changes are noted as (its id, "=") (see TrackedDict): the state file
    puts one in place of a stored list whose elements all note their own changes."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Copies (copy, deepcopy, pickle) are plain lists: only the stored one is watched.
        return (list, (list(self),))


_WRITE_TRACKED: dict[type, type | None] = {}


def _write_tracked_subclass(base: type) -> type | None:
    """For a small record (a dataclass of the engine) stored inside a dict entry: a
    layout-identical subclass noting only assignments to its fields (reads are
    free).  It compares, hashes and prints exactly like `base`."""
    import dataclasses

    if not dataclasses.is_dataclass(base) or "__kshell_tracked__" in base.__dict__:
        return None
    if not (base.__module__ or "").startswith("kshell.engine."):
        return None
    set_, del_ = base.__setattr__, base.__delattr__

    def __setattr__(self, name: str, value: Any) -> None:
        _add((id(self), "="))
        set_(self, name, value)

    def __delattr__(self, name: str) -> None:
        _add((id(self), "="))
        del_(self, name)

    ns: dict[str, Any] = {"__slots__": (), "__kshell_tracked__": True, "__setattr__": __setattr__,
                          "__delattr__": __delattr__, "__module__": base.__module__,
                          "__qualname__": base.__qualname__}
    params = getattr(base, "__dataclass_params__", None)
    get = None
    if params is not None and params.eq and "__eq__" in base.__dict__:
        # The generated __eq__ requires the very same class: compare as `base` does.
        import operator

        names = tuple(f.name for f in dataclasses.fields(base) if f.compare)
        get = operator.attrgetter(*names) if len(names) > 1 else (lambda x: (getattr(x, names[0]),) if names else ())
    elif params is None and getattr(base, "__eq__", None) is _record_eq:
        get = base.__record_get__  # a Record (kshell.syntax.records): the same rule, its compared fields
    if get is not None:

        def __eq__(self, other: Any) -> Any:
            if isinstance(other, base) and (type(other) is base or type(other).__mro__[1] is base):
                return get(self) == get(other)
            return NotImplemented

        ns["__eq__"] = __eq__
        ns["__hash__"] = base.__hash__
    try:
        return type(base.__name__, (base,), ns)
    except TypeError:
        return None


def track_record(record: Any) -> bool:
    """Note future assignments to `record`'s fields (see _write_tracked_subclass). False if it cannot be."""
    cls = type(record)
    if cls.__dict__.get("__kshell_tracked__"):
        return True
    sub = _WRITE_TRACKED.get(cls, False)
    if sub is False:
        sub = _WRITE_TRACKED[cls] = _write_tracked_subclass(cls)
    if sub is None:
        return False
    try:
        record.__class__ = sub
    except TypeError:
        _WRITE_TRACKED[cls] = None
        return False
    return True


def tracked_type(cls: type) -> type | None:
    """The tracked class for records of `cls` (itself when already tracked), None if it cannot be tracked."""
    if cls in _TRACKED_CLASSES or issubclass(cls, TrackedTable):
        return cls
    return TRACKED.get(cls)


def track(record: Any) -> bool:
    """Start tracking `record` (a plain Table, Cluster or Database becomes its tracked
    subclass). False when it cannot be tracked (a family's own subclass)."""
    cls = type(record)
    t = tracked_type(cls)
    if t is None:
        return False
    if t is not cls:
        record.__class__ = t
    return True


def clear() -> None:
    """Everything touched so far has been written (or examined and found unchanged)."""
    touched.clear()


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
