"""Generic encoding of the cluster's metadata into JSON-able values, and back.

The state model keeps growing (every command family adds record types), so
nothing here knows the families: dataclass instances are walked field by
field and tagged with their class's qualified name, containers and the
engine's value types get small tagged forms.  A new record type round-trips
without any change to the store.

Tagged forms (plain JSON values stay as they are):

    {"$dc": "module:Qual", "f": {field: value}}   dataclass instance
    {"$ref": n}                                   the n-th dataclass met (shared objects)
    {"$flat": "module:Qual", "n": [field...], "v": [[value...], ...]}
                                                  a list of small records of one type that are
                                                  never shared (Column, Extent): compact, fast
    {"$enum": "module:Qual", "v": value}          Enum member
    {"$nt": "module:Qual", "v": [...]}            NamedTuple
    {"$obj": "module:Qual", "d": {attr: value}}   other kshell object (its __dict__/__slots__)
    {"$map": [[key, value], ...]}                 dict whose keys are not all plain strings
    {"$tuple": [...]}, {"$set": [...]}, {"$fset": [...]}
    {"$dt": "iso"}, {"$date": "iso"}, {"$td": [days, seconds, microseconds]}
    {"$uuid": "..."}, {"$dec": "..."}, {"$bytes": "base64"}, {"$path": "..."}

Shared objects: a dataclass instance reachable twice (e.g. one identity record
listed in two places) is written once and referenced afterwards, so after a
reload the two places still hold the same object.  Numbering follows the walk
order, which encoding and decoding share.

Fields that are caches rather than state are not written and come back as
their default: a field whose name starts with "_", a field named "parsed"
(Function.parsed), or one declared with `field(metadata={"transient": True})`.

Writing and loading are restricted to record classes (dataclasses, Enums,
NamedTuples) defined in the engine, syntax and query packages (never a module
with a `_` part such as `__main__`): a state file cannot make kshell import or
build anything else (resolve_class).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import enum
import importlib
import operator
import pathlib
import uuid
from itertools import chain
from collections.abc import Callable
from typing import Any

from kshell import ticks
from kshell.errors import KustoError

TRANSIENT_FIELD_NAMES = frozenset({"parsed"})
_SCALARS = frozenset({str, int, bool, float, type(None)})
# Records of the state model live in the engine (and the parsed forms it keeps, from
# the syntax and query packages); nothing else is ever stored or loaded.
ALLOWED_PACKAGES = ("kshell.engine", "kshell.syntax", "kshell.query")


class CodecError(KustoError):
    """A value the state file cannot hold, or a record it cannot rebuild."""

    kind = "StateFileError"


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _is_transient(f: dataclasses.Field) -> bool:
    return f.name.startswith("_") or f.name in TRANSIENT_FIELD_NAMES or bool(f.metadata.get("transient"))


_FIELD_CACHE: dict[type, tuple[tuple[str, ...], tuple[dataclasses.Field, ...]]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, ...], tuple[dataclasses.Field, ...]]:
    """(names of the stored fields, all fields) of a dataclass, cached per class."""
    got = _FIELD_CACHE.get(cls)
    if got is None:
        all_fields = dataclasses.fields(cls)
        got = (tuple(f.name for f in all_fields if not _is_transient(f)), all_fields)
        _FIELD_CACHE[cls] = got
    return got


class Encoder:
    """One walk over a value graph.

    `special(obj)` encodes the records of `special_type` (e.g. Table, whose
    rows and document live elsewhere), typically as {"$ext": key}: the
    Decoder's `external(key)` brings the object back in place.  What is
    stored aside is encoded with its own Encoder, so its record numbering is
    its own and its stored form can be reused unchanged.
    """

    def __init__(self, special: Callable[[Any], Any] | None = None, allowed: tuple[str, ...] = ALLOWED_PACKAGES,
                 special_type: type | None = None, flat_types: frozenset = frozenset(),
                 flat_cache: dict | None = None):
        self._special = special
        self._special_type = special_type if special is not None else None
        self._memo: dict[int, int] = {}
        self._allowed = allowed
        self._infos: dict[type, tuple] = {}
        self._flat_types = flat_types
        # id(record) -> (record, values snapshot, encoded row): see _flat_rows.
        self._flat_cache = flat_cache
        self.flat_seen: dict[int, tuple] = {}

    def encode(self, v: Any) -> Any:
        t = type(v)
        if v is None or t is str or t is int or t is bool or t is float:
            return v
        if t is list:
            if v and type(v[0]) in self._flat_types:
                flat = self._flat(v)
                if flat is not None:
                    return flat
            enc = self.encode
            return [enc(x) for x in v]
        if t is dict:
            enc = self.encode
            for k in v:
                if type(k) is not str or k[:1] == "$":
                    return {"$map": [[enc(k), enc(x)] for k, x in v.items()]}
            return {k: enc(x) for k, x in v.items()}
        if hasattr(t, "__dataclass_fields__"):
            return self._dataclass(v)
        if isinstance(v, enum.Enum):
            return {"$enum": _class_name(t), "v": self.encode(v.value)}
        if t is dt.datetime:
            return {"$dt": v.isoformat()}
        if t is dt.timedelta:
            return {"$td": [v.days, v.seconds, v.microseconds]}
        # Values with 100 ns ticks beyond the microsecond (kshell.ticks): the same tags,
        # with a seventh fractional digit / a fourth element holding the extra ticks.
        if t is ticks.Datetime:
            return {"$dt": ticks.isoformat(v)}
        if t is ticks.Timespan:
            return {"$td": [v.days, v.seconds, v.microseconds, v.extra]}
        if t is uuid.UUID:
            return {"$uuid": str(v)}
        if t is decimal.Decimal:
            return {"$dec": str(v)}
        if t is tuple:
            return {"$tuple": [self.encode(x) for x in v]}
        if t is set or t is frozenset:
            items = [self.encode(x) for x in v]
            try:  # a stable order, so an unchanged set never looks changed
                items.sort(key=repr)
            except Exception:
                pass
            return {"$set" if t is set else "$fset": items}
        if t is dt.date:
            return {"$date": v.isoformat()}
        if t is bytes:
            return {"$bytes": base64.b64encode(v).decode("ascii")}
        if isinstance(v, pathlib.PurePath):
            return {"$path": str(v)}
        if isinstance(v, tuple) and hasattr(t, "_fields") and _in_packages(t, self._allowed):
            return {"$nt": _class_name(t), "v": [self.encode(x) for x in v]}
        # Subclasses of the plain types (e.g. a str subclass) are stored as the base value.
        for base in (str, int, float, list, dict, tuple):
            if isinstance(v, base):
                return self.encode(base(v))
        raise CodecError(f"the state file cannot store a value of type {_class_name(t)}")

    def _object(self, v: Any) -> Any:
        """A plain kshell class instance: its attributes (shared like dataclasses)."""
        key = id(v)
        n = self._memo.get(key)
        if n is not None:
            return {"$ref": n}
        self._memo[key] = len(self._memo)
        attrs = {}
        for name in _slot_names(type(v)):
            if hasattr(v, name) and not name.startswith("_"):
                attrs[name] = getattr(v, name)
        for name, value in getattr(v, "__dict__", {}).items():
            if not name.startswith("_"):
                attrs[name] = value
        return {"$obj": _class_name(type(v)), "d": {k: self.encode(x) for k, x in attrs.items()}}

    def _dataclass(self, v: Any) -> Any:
        key = id(v)
        n = self._memo.get(key)
        if n is not None:
            return {"$ref": n}
        self._memo[key] = len(self._memo)
        cls = type(v)
        info = self._infos.get(cls)
        if info is None:
            info = self._infos[cls] = self._class_info(cls)
        tag, names, getter = info
        if self._special_type is not None and isinstance(v, self._special_type):
            return self._special_record(v)
        scalars, enc = _SCALARS, self.encode
        if len(names) == 1:
            x = getter(v)
            return {"$dc": tag, "f": {names[0]: x if type(x) in scalars else enc(x)}}
        return {"$dc": tag, "f": {n: (x if type(x) in scalars else enc(x)) for n, x in zip(names, getter(v))}}

    def _flat(self, items: list) -> Any:
        """A list of records of one small, never shared type (Column, Extent) as rows of values."""
        cls = type(items[0])
        for it in items:
            if type(it) is not cls:
                return None
        info = self._infos.get(cls)
        if info is None:
            info = self._infos[cls] = self._class_info(cls)
        tag, names, getter = info
        scalars, enc = _SCALARS, self.encode
        if len(names) == 1:
            rows = [[x if type(x) in scalars else enc(x)] for x in map(getter, items)]
        else:
            rows = list(map(list, map(getter, items)))
            if not set(map(type, chain.from_iterable(rows))) <= scalars:
                rows = self._flat_rows(items, rows)
        return {"$flat": tag, "n": list(names), "v": rows}

    def _flat_rows(self, items: list, values: list[list]) -> list[list]:
        """Rows holding non-plain values (guids, datetimes, tag lists ...).

        With a `flat_cache`, a record whose values equal those it had when last
        encoded reuses that encoding: the extents of a table ingested a thousand
        times are not encoded a thousand times over."""
        scalars, enc = _SCALARS, self.encode
        cache, seen = self._flat_cache, self.flat_seen
        if cache is None:
            return [[x if type(x) in scalars else enc(x) for x in row] for row in values]
        rows = []
        get = cache.get
        for it, row in zip(items, values):
            key = id(it)
            hit = get(key)
            if hit is not None and hit[0] is it and hit[1] == row:
                seen[key] = hit
                rows.append(hit[2])
                continue
            # The snapshot copies list values: a later in-place change must show.
            snap = [list(x) if type(x) is list else x for x in row]
            encoded = [x if type(x) in scalars else enc(x) for x in row]
            seen[key] = (it, snap, encoded)
            rows.append(encoded)
        return rows

    def _class_info(self, cls: type) -> tuple[str, tuple[str, ...], Any]:
        # Shared by every Encoder (a state file makes one per part it encodes).
        key = (cls, self._allowed)
        info = _CLASS_INFOS.get(key)
        if info is None:
            info = _CLASS_INFOS[key] = self._new_class_info(cls)
        return info

    def _new_class_info(self, cls: type) -> tuple[str, tuple[str, ...], Any]:
        cls = stored_class(cls)
        if not _in_packages(cls, self._allowed):
            # The loader would refuse it: never write a file that cannot be opened again.
            raise CodecError(f"the state file cannot store a record of type {_class_name(cls)} (not a kshell type)")
        names, _ = _fields_of(cls)
        getter = operator.attrgetter(*names) if names else (lambda v: ())
        return _class_name(cls), names, getter

    def _special_record(self, v: Any) -> Any:
        return self._special(v)


_CLASS_INFOS: dict[tuple[type, tuple], tuple] = {}


def stored_class(cls: type) -> type:
    """The class a record is stored as: a tracked subclass (kshell.store.tracking) is its base."""
    while cls.__dict__.get("__kshell_tracked__") or getattr(cls, "__kshell_tracked__", False):
        cls = cls.__mro__[1]
    return cls


def _default(f: dataclasses.Field) -> Any:
    """The value of a field a file does not hold (a cache, or a field added since)."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return None


def _in_packages(cls: type, packages: tuple[str, ...]) -> bool:
    return _module_in(getattr(cls, "__module__", "") or "", packages)


def _module_in(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _slot_names(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return [n for n in names if n not in ("__dict__", "__weakref__")]


def resolve_class(name: str, allowed: tuple[str, ...] = ALLOWED_PACKAGES) -> type:
    """The class a tag names, under a fixed allow-list: a record class (dataclass,
    Enum, NamedTuple or plain class) *defined* in a module of the allowed packages
    (the engine).  Only such a module is ever imported for a tag, never a module
    whose name has a part starting with `_` (`__main__`, private modules), and
    the qualified name must lead to that class itself, not through another
    module's attributes.  A state file is data: it cannot make kshell import or
    build anything else."""
    module, _, qual = name.partition(":")
    if not _module_in(module, allowed) or not qual:
        raise CodecError(f"record type '{name}' is not a kshell type")
    parts = module.split(".") + qual.split(".")
    if any(not p.isidentifier() or p.startswith("_") for p in parts):
        raise CodecError(f"record type '{name}' is not a kshell type")
    try:
        import importlib.util

        if importlib.util.find_spec(module) is None:
            raise ImportError(module)
        obj: Any = importlib.import_module(module)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError):
        raise CodecError(f"record type '{name}' is unknown to this kshell") from None
    if not isinstance(obj, type) or obj.__module__ != module or obj.__qualname__ != qual:
        raise CodecError(f"record type '{name}' is not a kshell record type")
    if not _record_class(obj):
        raise CodecError(f"record type '{name}' is not a kshell record type")
    return obj


def _record_class(cls: type) -> bool:
    """Records are dataclasses, Enums and NamedTuples: classes whose instances are
    data (rebuilt without running any constructor)."""
    return dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum) or (
        issubclass(cls, tuple) and hasattr(cls, "_fields"))


class Decoder:
    """The inverse walk.  `external(key)` returns the object a {"$ext": key}
    placeholder stands for (e.g. a table read from its own document)."""

    def __init__(self, allowed: tuple[str, ...] = ALLOWED_PACKAGES, external: Callable[[Any], Any] | None = None):
        self._external = external
        self._allowed = allowed
        self._objects: list[Any] = []
        self._classes: dict[str, type] = {}

    def decode(self, v: Any) -> Any:
        t = type(v)
        if t is list:
            dec = self.decode
            return [dec(x) for x in v]
        if t is not dict:
            return v
        if not v:
            return {}
        first = next(iter(v))
        if first[:1] != "$":
            dec = self.decode
            return {k: dec(x) for k, x in v.items()}
        if first == "$dc":
            return self._dataclass(v)
        if first == "$flat":
            return self._flat(v)
        if first == "$ext":
            if self._external is None:
                raise CodecError("a record stored aside has no store to come from")
            obj = self._external(v["$ext"])
            self._objects.append(obj)  # numbered where the encoder numbered it
            return obj
        if first == "$ref":
            try:
                return self._objects[v["$ref"]]
            except (IndexError, TypeError):
                raise CodecError("dangling record reference") from None
        if first == "$map":
            dec = self.decode
            out = {}
            for k, x in v["$map"]:
                k = dec(k)
                out[k] = dec(x)
            return out
        if first == "$dt":
            return ticks.fromisoformat(v["$dt"])
        if first == "$td":
            d, s, us, *extra = v["$td"]
            td = dt.timedelta(days=d, seconds=s, microseconds=us)
            return ticks.add(td, ticks.timespan_from_ticks(extra[0])) if extra else td
        if first == "$uuid":
            return uuid.UUID(v["$uuid"])
        if first == "$dec":
            return decimal.Decimal(v["$dec"])
        if first == "$tuple":
            return tuple(self.decode(x) for x in v["$tuple"])
        if first == "$set":
            return {self.decode(x) for x in v["$set"]}
        if first == "$fset":
            return frozenset(self.decode(x) for x in v["$fset"])
        if first == "$date":
            return dt.date.fromisoformat(v["$date"])
        if first == "$bytes":
            return base64.b64decode(v["$bytes"])
        if first == "$path":
            return pathlib.Path(v["$path"])
        if first == "$enum":
            cls = self._class(v["$enum"])
            return cls(self.decode(v["v"]))
        if first == "$nt":
            cls = self._class(v["$nt"])
            return cls(*[self.decode(x) for x in v["v"]])
        if first == "$obj":
            cls = self._class(v["$obj"])
            obj = cls.__new__(cls)
            self._objects.append(obj)
            for k, x in v["d"].items():
                object.__setattr__(obj, k, self.decode(x))
            return obj
        raise CodecError(f"unknown tag '{first}'")

    def _class(self, name: str) -> type:
        cls = self._classes.get(name)
        if cls is None:
            cls = self._classes[name] = resolve_class(name, self._allowed)
        return cls

    def _flat(self, v: dict) -> list:
        cls = self._class(v["$flat"])
        if not dataclasses.is_dataclass(cls):
            raise CodecError(f"record type '{v['$flat']}' is not a record")
        names = v["n"]
        _, all_fields = _fields_of(cls)
        missing = [f for f in all_fields if f.name not in names]
        dec, setattr_, new = self.decode, object.__setattr__, cls.__new__
        out = []
        for row in v["v"]:
            obj = new(cls)
            for name, x in zip(names, row):
                setattr_(obj, name, x if type(x) in _SCALARS else dec(x))
            for f in missing:
                setattr_(obj, f.name, _default(f))
            out.append(obj)
        return out

    def _dataclass(self, v: dict) -> Any:
        cls = self._class(v["$dc"])
        if not dataclasses.is_dataclass(cls):
            raise CodecError(f"record type '{v['$dc']}' is not a record")
        obj = cls.__new__(cls)
        # Registered before its fields are decoded, like the encoder numbers it.
        self._objects.append(obj)
        stored = v.get("f", {})
        _, all_fields = _fields_of(cls)
        setattr_ = object.__setattr__  # also fills frozen records
        for f in all_fields:
            if f.name in stored and not _is_transient(f):
                value = self.decode(stored[f.name])
            else:
                value = _default(f)
            setattr_(obj, f.name, value)
        return obj
