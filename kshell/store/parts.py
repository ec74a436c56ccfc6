"""The cluster's metadata as many small documents ("parts"), so that a request
writes in proportion to what it changed, not to the size of the cluster.

The cluster and each database are *split records*: instead of one document,
each of their stored fields is a part of its own, and a field holding a dict
with plain string keys (databases, identities, functions, policies ...) is a
keys part plus one part per entry.  A part is addressed by its path from the
cluster:

    ["c"]                                   {"$split": "kshell.engine.cluster:Cluster"}
    ["c", "now"]                            the field's encoded value
    ["c", "identities"]                     {"$keys": ["id0", "id1", ...]}
    ["c", "identities", "id0"]              the entry's encoded value
    ["c", "databases", "db1"]               {"$split": "kshell.engine.cluster:Database"}
    ["c", "databases", "db1", "principals"] {"$items": [element, ...]}
    ["c", "policies", "managed_identity"]   {"$chunks": 8}   (a list of more than 64 elements)
    ["c", "policies", "managed_identity", "#0"] {"$items": [64 elements]}

Every part is encoded on its own (kshell.store.codec, its own record
numbering), and so is each element of a list part (`$items`), so an unchanged
element keeps its stored text.  Tables appear as `{"$ext": tid}` (their
documents and rows live in their own SQLite tables).

Which parts to look at after a request: the split records are tracked like
tables (kshell.store.tracking: an attribute read or set is noted), so only the
fields a request touched are examined.  A touched dict or list is compared
entry by entry with what was written: an entry that is the same object as
before and whose fields (all plain values) are unchanged keeps its text
without being encoded again; anything else is encoded and compared as text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import operator
import uuid
from itertools import chain, compress, repeat
from collections.abc import Callable
from typing import Any

from kshell.engine.cluster import Cluster, Database, Table
from kshell.store.codec import CodecError, Decoder, Encoder, _class_name, _default, _fields_of, _is_transient, resolve_class
from kshell.store.tracking import TRACKED, TrackedDict, TrackedList, track_record, tracked_type

SPLIT_TYPES = (Cluster, Database)
ROOT = ("c",)
_SCALARS = frozenset({str, int, bool, float, type(None)})
_SEP = (",", ":")
_STR_ONLY = frozenset({str})
# _dumps(x) builds a new encoder on every call: one, made once
_dumps = json.JSONEncoder(separators=_SEP).encode
# Values that cannot change in place: the same object is the same value (and text).
_IMMUTABLE = _SCALARS | {dt.datetime, dt.date, dt.timedelta, uuid.UUID, decimal.Decimal}
_SEALED = object()  # a list element's snapshot when the element notes its own changes
LIST_CHUNK = 64  # elements per part of a long list
_is = operator.is_

Path = tuple


def part_key(path: Path) -> str:
    return _dumps(list(path))


def _is_split(v: Any) -> bool:
    return isinstance(v, SPLIT_TYPES) and tracked_type(type(v)) is not None


def _snap_getter(cls: type) -> Any:
    names = _fields_of(cls)[0]
    return operator.attrgetter(*names) if len(names) > 1 else None


_GETTERS: dict[type, Any] = {}


def _snapshot(v: Any) -> Any:
    """The values of a small record's fields when all are plain values, else None.

    Two equal snapshots of the same object mean its encoding is unchanged."""
    cls = type(v)
    if cls in _SCALARS:
        return (v,)
    if cls is dict or cls is TrackedDict:
        return (tuple(v), v.copy()) if _SCALARS >= set(map(type, v.values())) else None
    if not hasattr(cls, "__dataclass_fields__"):
        return None
    g = _GETTERS.get(cls)
    if g is None:
        g = _GETTERS[cls] = _snap_getter(cls) or (lambda x, n=_fields_of(cls)[0]: tuple(getattr(x, k) for k in n))
    snap = g(v)
    if type(snap) is not tuple:
        snap = (snap,)
    for x in snap:
        if type(x) not in _SCALARS:
            return None
    return snap


def _seal(v: Any, snap: Any, swap: bool = True) -> Any:
    """`v`, or an equal object to put in its place, that notes its own changes from
    now on (so an unchanged list element is recognised without looking at it); None
    when it cannot.  `snap`: its _snapshot (not None: every field a plain value).

    An immutable value is itself; a record of plain values notes assignments once
    its class is switched (tracking.track_record); a dict of plain values is
    replaced by an equal TrackedDict (as a dict field of a split record is, see
    ClusterParts._watch)."""
    t = type(v)
    if t in _IMMUTABLE:
        return v
    if snap is None:
        return None
    if t is TrackedDict:
        return v
    if t is dict:
        return TrackedDict(v) if swap else None
    return v if track_record(v) else None


def _plain_keys(d: dict) -> bool:
    """Are the keys of `d` strings stored as they are (not `$...`, which the Encoder tags)?"""
    for k in d:
        if type(k) is not str or k[:1] == "$":
            return False
    return True


def _falses(flags: list) -> list[int]:
    """The positions of the False flags (found by list.index, in C: usually few)."""
    out = []
    i = 0
    index = flags.index
    try:
        while True:
            i = index(False, i)
            out.append(i)
            i += 1
    except ValueError:
        return out


def _bulk(values: list, check: bool = False) -> list | None:
    """The field values of records of one class, compared in one go (C speed):
    a list to compare with a later call, or None when there is no such fast form
    (mixed classes; with `check`, also when a value is not a plain value)."""
    if not values:
        return []
    classes = set(map(type, values))
    if len(classes) != 1:
        return None
    cls = classes.pop()
    if cls is dict:  # JSON-like objects (policy entries ...)
        # (keys in order, a copy): as tuple(d.items()) compares, built in C without a
        # tuple per entry (a 500-entry policy list is snapshotted on every change)
        out = list(zip(map(tuple, values), map(dict.copy, values)))
        if check and not set(map(type, chain.from_iterable(d.values() for d in values))) <= _SCALARS:
            return None
        return out
    if not hasattr(cls, "__dataclass_fields__"):
        return None
    g = _GETTERS.get(cls)
    if g is None:
        g = _GETTERS[cls] = _snap_getter(cls) or (lambda x, n=_fields_of(cls)[0]: tuple(getattr(x, k) for k in n))
    out = list(map(g, values))
    if check:
        if type(out[0]) is not tuple or not set(map(type, chain.from_iterable(out))) <= _SCALARS:
            return None
    return out


class ClusterParts:
    """What the file holds of the cluster metadata, and how to bring it up to date."""

    def __init__(self, aside: Callable[[Table], int], watch: bool = True):
        self._aside = aside                          # table -> tid (assigns new tids)
        # Put values that note their own changes in place of equal plain ones (and
        # stop noting reads of fields holding only such values): for the file of a
        # session, not for a one-off copy (#save of an in-memory cluster).
        self._watching = watch
        # id of a container or element inside a field that notes its own changes ->
        # (id(split record), field name), or a frozenset of them: a note on it means
        # that field is examined (its reads are not noted: see _set_open)
        self._owner: dict[int, Any] = {}
        self._cur_owner: tuple = ()
        # id(split record) -> names of its fields whose reads must be noted (values
        # that may change in place unnoticed); records whose set changed in a write
        self._open: dict[int, set] = {}
        self._reseal: dict[int, Any] = {}
        self._at: dict[Path, int] = {}               # path -> id of the split record stored there
        self.texts: dict[Path, str] = {}             # what the file holds, per part
        self.tids: dict[Path, frozenset] = {}        # tables each part refers to
        self.records: dict[int, tuple[Path, Any]] = {}  # id(split record) -> (path, record)
        self._fast: dict[Path, Any] = {}             # per part: what makes an unchanged check cheap
        self.refs: dict[int, int] = {}               # tid -> number of parts referring to it
        self._touched: dict[int, set[str]] = {}
        self.fresh: list[Any] = []                   # records met whole since the last write (to track)

    # ---------------------------------------------------------------- reading
    def load(self, rows: dict[Path, str], external: Callable[[int], Table]) -> Cluster:
        """Build the cluster from its stored parts (their texts become what is known written)."""
        self.texts = dict(rows)
        docs: dict[Path, Any] = {}

        def doc(path: Path) -> Any:
            d = docs.get(path)
            if d is None:
                text = rows.get(path)
                if text is None:
                    raise CodecError(f"missing part {list(path)}")
                d = docs[path] = json.loads(text)
            return d

        def record(path: Path) -> Any:
            d = doc(path)
            if not isinstance(d, dict) or "$split" not in d:
                raise CodecError(f"part {list(path)} holds no record")
            cls = resolve_class(d["$split"])
            if not issubclass(cls, SPLIT_TYPES):
                raise CodecError(f"record type '{d['$split']}' cannot be stored field by field")
            obj = cls.__new__(cls)
            self.records[id(obj)] = (path, obj)
            self._at[path] = id(obj)
            self.fresh.append(obj)
            setattr_ = object.__setattr__
            for f in _fields_of(cls)[1]:
                p = path + (f.name,)
                if _is_transient(f) or p not in rows:
                    setattr_(obj, f.name, _default(f))
                    continue
                setattr_(obj, f.name, value(p))
            return obj

        def value(path: Path) -> Any:
            d = doc(path)
            if isinstance(d, dict) and d:
                first = next(iter(d))
                if first == "$keys":
                    out = TrackedDict()
                    for k in d["$keys"]:
                        sub = path + (k,)
                        sd = doc(sub)
                        out[k] = record(sub) if isinstance(sd, dict) and "$split" in sd else value(sub)
                    return out
                if first == "$items":
                    return [Decoder(external=_tracking(external, path, self)).decode(x) for x in d["$items"]]
                if first == "$chunks":
                    out_list = []
                    for k in range(int(d["$chunks"])):
                        sub = path + (f"#{k}",)
                        out_list += [Decoder(external=_tracking(external, sub, self)).decode(x)
                                     for x in doc(sub)["$items"]]
                    return out_list
            return entry(path, d)

        def entry(path: Path, d: Any) -> Any:
            return Decoder(external=_tracking(external, path, self)).decode(d)

        cluster = record(ROOT)
        if not isinstance(cluster, Cluster):
            raise CodecError("no cluster in the parts")
        return cluster

    # ---------------------------------------------------------------- writing
    def changes(self, cluster: Cluster, touched: dict[int, set[str]], full: bool) -> dict[Path, str | None]:
        """Parts whose text differs from the file's (None: the part is gone).

        `touched`: id of a tracked record -> its attributes touched since the last
        write; `full`: examine everything (first write, untracked clusters)."""
        out: dict[Path, str | None] = {}
        self._out = out
        self._touched = touched
        self._new_tids: dict[Path, frozenset] = {}
        self._reseal = {}
        reg = self.records.get(id(cluster))
        if full or reg is None or reg[1] is not cluster or reg[0] != ROOT:
            self._record(cluster, ROOT)
        else:
            # Fields set or read (reads are noted only for open fields), and fields
            # holding a container or element that noted a change.
            todo: dict[int, set] = {}
            records, owner = self.records, self._owner
            for oid, names in touched.items():
                if oid in records:
                    todo.setdefault(oid, set()).update(names)
                own = owner.get(oid)
                if own is not None:
                    for rid, name in ((own,) if type(own) is tuple else own):
                        todo.setdefault(rid, set()).add(name)
            at = self._at
            for oid, names in todo.items():
                reg = records.get(oid)
                if reg is None or at.get(reg[0]) != oid:
                    continue  # no longer stored (a dropped or replaced database)
                path, obj = reg
                stored = _stored(type(obj))
                self._fields(obj, path, [n for n in names if n in stored])
        return out

    def resealed(self) -> list[tuple[Any, frozenset]]:
        """(split record, the fields whose reads must be noted) for the records whose
        set changed in the last write: kshell.store.tracking.seal applies them."""
        out = [(obj, frozenset(self._open[rid])) for rid, obj in self._reseal.items()
               if self.records.get(rid, (None, None))[1] is obj]
        self._reseal = {}
        return out

    def new_tids(self) -> dict[Path, frozenset]:
        return self._new_tids

    def dropped(self, out: dict[Path, str | None]) -> list[int]:
        """Tables no part would refer to once `out` is written (their documents and rows go)."""
        delta: dict[int, int] = {}
        for path, text in out.items():
            old = self.tids.get(path, frozenset())
            new = self._new_tids.get(path, frozenset()) if text is not None else frozenset()
            for t in old - new:
                delta[t] = delta.get(t, 0) - 1
            for t in new - old:
                delta[t] = delta.get(t, 0) + 1
        return [t for t, d in delta.items() if d < 0 and self.refs.get(t, 0) + d <= 0]

    def commit(self, out: dict[Path, str | None]) -> None:
        """The file now holds `out`: remember it."""
        for path, text in out.items():
            old = self.tids.pop(path, frozenset())
            new = self._new_tids.get(path, frozenset()) if text is not None else frozenset()
            for t in old - new:
                n = self.refs.get(t, 0) - 1
                if n <= 0:
                    self.refs.pop(t, None)
                else:
                    self.refs[t] = n
            for t in new - old:
                self.refs[t] = self.refs.get(t, 0) + 1
            if new:
                self.tids[path] = new
            if text is None:
                self.texts.pop(path, None)
            else:
                self.texts[path] = text

    def forget_fast(self) -> None:
        """After a failed write: nothing cached may vouch for an unwritten state, and
        every read of the split records is noted again (a field found open in the
        failed write may still be sealed)."""
        self._fast.clear()
        self._open.clear()
        self._reseal = {}
        for _, obj in self.records.values():
            cls = type(obj)
            if cls.__dict__.get("__kshell_tracked__"):
                noting = TRACKED.get(cls.__mro__[1])
                if noting is not None and noting is not cls:
                    obj.__class__ = noting

    # ------------------------------------------------------------- internals
    def _put(self, path: Path, text: str, tids: frozenset = frozenset()) -> None:
        if self.texts.get(path) != text or self.tids.get(path, frozenset()) != tids:
            self._out[path] = text
            if tids:
                self._new_tids[path] = tids
        elif path in self._out:  # back to what the file holds within one write
            del self._out[path]

    def _drop_under(self, path: Path) -> None:
        n = len(path)
        for p in [p for p in self.texts if p[:n] == path]:
            self._out[p] = None
        for p in [p for p in self._out if p[:n] == path and p not in self.texts]:
            del self._out[p]
        for p in [p for p in self._fast if p[:n] == path]:
            del self._fast[p]
        for oid in [oid for oid, (p, _) in self.records.items() if p[:n] == path]:
            del self.records[oid]
            self._open.pop(oid, None)

    def _record(self, obj: Any, path: Path) -> None:
        old = self._at.get(path)
        if old is not None and old != id(obj):
            # a record replaced at this place (a database put back from a copy): a note
            # on the old one must not write it over the new one
            self.records.pop(old, None)
            self._open.pop(old, None)
        self._at[path] = id(obj)
        self.records[id(obj)] = (path, obj)
        self._open.pop(id(obj), None)  # every field is examined (and classified) below
        self.fresh.append(obj)
        self._put(path, _dumps({"$split": _class_name(_base(type(obj)))}))
        self._fields(obj, path, _stored(type(obj)))
        if self._watching:
            # its class is set from what was just found, whatever it was (a copy of a
            # stored database keeps the class of the original)
            self._open.setdefault(id(obj), set())
            self._reseal[id(obj)] = obj

    def _fields(self, obj: Any, path: Path, names: Any) -> None:
        get = object.__getattribute__
        rid = id(obj)
        for name in names:
            value = get(obj, name)
            p = path + (name,)
            self._cur_owner = (rid, name)
            t = type(value)
            if t is TrackedDict:
                if self._dict(value, p):
                    self._cur_owner = (rid, name)  # (examining a new database changed it)
                    self._register((id(value),))
                    self._set_open(obj, name, False)
                else:
                    self._set_open(obj, name, True)
            elif t is dict:
                sealed = self._dict(value, p)
                watched = self._watch(obj, name, value, p)
                if sealed and watched is not None:
                    self._cur_owner = (rid, name)
                    self._register((id(watched),))
                    self._set_open(obj, name, False)
                else:
                    self._set_open(obj, name, True)
            elif t is list or t is TrackedList:
                if self._items(value, p) and self._watching:
                    if t is list:
                        value = TrackedList(value)
                        object.__setattr__(obj, name, value)
                    self._register((id(value),))
                    self._set_open(obj, name, False)
                else:
                    self._set_open(obj, name, True)
            elif t in _SCALARS:
                self._set_open(obj, name, False)  # (immutable: only an assignment changes it)
                fast = self._fast.get(p)
                if fast is not None and fast[0] == "=" and fast[1] is value:
                    continue  # the same str/int/bool/None object as written: unchanged
                if self._has_children(p):
                    self._drop_children(p)
                self._fast[p] = ("=", value)
                self._put(p, _dumps(value))
            elif t in _IMMUTABLE:
                # (the simulated clock `now`, read by most requests): the same object as
                # written is the same value, without encoding it again
                self._set_open(obj, name, False)
                fast = self._fast.get(p)
                if fast is not None and fast[0] == "=" and fast[1] is value:
                    continue
                if self._has_children(p):
                    self._drop_children(p)
                self._fast[p] = ("=", value)
                self._put(p, *self._encode(value, p))
            else:
                self._set_open(obj, name, True)
                # A field that was a dict before: its entries' parts go.
                if self._has_children(p):
                    self._drop_children(p)
                self._fast.pop(p, None)
                self._put(p, *self._encode(value, p))

    def _watch(self, obj: Any, name: str, d: dict, p: Path) -> None:
        """Put a TrackedDict with the same entries in the field of a split record (what
        reading the file gives): a request that only reads the field (a lookup in the
        identities, the databases) then costs nothing here, where a plain dict is
        compared entry by entry after every request that touched the field."""
        prev = self._fast.get(p)
        if not self._watching or prev is None or prev[0] != "keys" or prev[6] is not d:
            return None  # a one-off copy, or stored whole (keys that are not strings)
        watched = TrackedDict(d)
        object.__setattr__(obj, name, watched)
        self._fast[p] = prev[:6] + (watched,) + prev[7:]
        return watched

    def _set_open(self, obj: Any, name: str, is_open: bool) -> None:
        """Record whether reads of field `name` of split record `obj` must be noted: a
        field is sealed (its reads cost nothing) when its value is immutable or made
        of containers and records that note their own changes, all registered in
        _owner under this field."""
        if not self._watching:
            return
        rid = id(obj)
        s = self._open.get(rid)
        if s is None:
            s = self._open[rid] = set(_stored(type(obj)))  # not examined yet: every field open
        if is_open:
            if name not in s:
                s.add(name)
                self._reseal[rid] = obj
        elif name in s:
            s.discard(name)
            self._reseal[rid] = obj

    def _register(self, ids: Any) -> None:
        """A note on any of `ids` (inside the field being examined) means that field is
        examined again.  An object registered under two fields is kept under both."""
        if not self._watching:
            return
        owner, reg = self._cur_owner, self._owner
        ids = list(ids)
        others = set(map(reg.get, ids))
        others.discard(None)
        others.discard(owner)
        if not others:
            reg.update(zip(ids, repeat(owner)))
            return
        for i in ids:
            o = reg.get(i)
            if o is None or o == owner:
                reg[i] = owner
            elif type(o) is tuple:
                reg[i] = frozenset((o, owner))
            elif owner not in o:
                reg[i] = o | {owner}

    def _has_children(self, p: Path) -> bool:
        """Is `p` stored as a keys part (its entries are parts of their own)?"""
        text = self._out.get(p) or self.texts.get(p)
        return text is not None and (text.startswith('{"$keys"') or text.startswith('{"$chunks"'))

    def _dict(self, d: dict, p: Path) -> bool:
        """Examine a dict field stored as a keys part and a part per entry.  True when
        every entry notes its own changes (split records, tables, noted records,
        immutable values, lists of such elements)."""
        owner = self._cur_owner
        prev = self._fast.get(p)
        if prev is not None and prev[0] == "keys" and prev[6] is d and type(d) is TrackedDict \
                and id(d) not in self._touched:
            # A watched dict, not changed since written: the same keys and objects.
            keys, values, same = prev[1], prev[2], True
        else:
            keys = list(d)
            if keys and not _STR_ONLY >= set(map(type, keys)):
                # Keys that are not all strings: the dict is stored whole, in one part.
                if self._has_children(p):
                    self._drop_children(p)
                self._fast.pop(p, None)
                self._put(p, *self._encode(d, p))
                return False
            values = list(d.values())
            same = prev is not None and prev[0] == "keys" and prev[1] == keys and all(map(_is, values, prev[2]))
        if same:
            # Same keys, same objects.  Split records and tables are examined through
            # their own tracking, records whose assignments are noted only when one
            # was assigned; the other entries are unchanged if their fields are.
            plain, snaps, noted = prev[3], prev[4], prev[5]
            if noted:
                t = self._touched
                hits = [noted[o] for o in t if o in noted] if len(t) < len(noted) else [
                    i for o, i in noted.items() if o in t]
                for i in hits:
                    if self._entry(values[i], p + (keys[i],)) is None:
                        same = False  # no longer plain values only: classified again below
            if same:
                if not plain:
                    return True
                pv = [values[i] for i in plain]
                if snaps is not None and snaps == _bulk(pv):
                    return prev[8]
                for i in plain:
                    self._entry(values[i], p + (keys[i],))
                sealed = self._seal_plain(d, keys, values, plain, p)
                pv = [values[i] for i in plain]
                self._fast[p] = ("keys", keys, values, plain, _bulk(pv, check=True), noted, d, prev[7], sealed)
                return sealed
        old_keys = prev[1] if prev is not None and prev[0] == "keys" else self._stored_keys(p)
        self._put(p, _dumps({"$keys": keys}))
        n = len(keys)
        m = len(old_keys)
        appended = prev is not None and prev[0] == "keys" and n >= m and keys[:m] == old_keys \
            and all(map(_is, values, prev[2]))
        if not appended:
            for k in set(old_keys) - set(keys):
                self._drop_under(p + (k,))
        if appended:
            # Entries only added (a new identity, database, table): the others keep their
            # classification; noted ones that were assigned and plain ones are examined.
            prev_noted = prev[5]
            noted = dict(prev_noted)
            kinds = prev[7]
            todo = list(prev[3])
            for o in self._touched:
                i = prev_noted.get(o)
                if i is not None:
                    del noted[o]
                    todo.append(i)
            todo.sort()
            todo += range(m, n)
        elif prev is not None and prev[0] == "keys":
            # Entries under the same key as the same object, examined before as a split
            # record, a table or a noted record (not assigned since), are as they were:
            # found in C, so that adding one entry to a dict of 500 identities does not
            # look at the other 499 (plain entries are examined again).
            before_kinds = prev[7]
            kind_list = list(map(before_kinds.get, keys))
            skip = list(map(operator.and_, map(_is, map(dict(zip(prev[1], prev[2])).get, keys, repeat(_SEALED)), values),
                            map(operator.ne, kind_list, repeat("p"))))
            t = self._touched
            if t:
                at = dict(zip(map(id, values), range(n)))
                for o in t:
                    i = at.get(o)
                    if i is not None:
                        skip[i] = False
            is_noted = list(map(operator.and_, skip, map(operator.eq, kind_list, repeat("n"))))
            noted = dict(zip(map(id, compress(values, is_noted)), compress(range(n), is_noted)))
            kinds = dict(zip(keys, kind_list))
            todo = list(compress(range(n), map(operator.not_, skip)))
        else:
            noted, kinds, todo = {}, {}, range(n)
        plain = []
        new_noted: list[int] = []  # (registered below: the others were when they became noted)
        for i in todo:
            k, v = keys[i], values[i]
            sp = p + (k,)
            if _is_split(v):
                kinds[k] = "s"
                reg = self.records.get(id(v))
                if reg is None or reg[0] != sp or reg[1] is not v:
                    self._drop_children(sp)
                    self._fast.pop(sp, None)
                    self._record(v, sp)
                    self._cur_owner = owner
                continue
            if isinstance(v, Table):
                kinds[k] = "t"
                fast = self._fast.get(sp)
                if fast is None or fast[0] is not v:
                    self._drop_children(sp)
                    self._fast[sp] = (v, None)
                    self._put(sp, *self._encode(v, sp))
                continue
            fast = self._fast.get(sp)
            if fast is not None and fast[0] is v and len(fast) > 2 and id(v) not in self._touched:
                noted[id(v)] = i  # a noted record, not assigned since written: unchanged
                kinds[k] = "n"
                new_noted.append(id(v))
                continue
            snap = self._entry(v, sp)
            if snap is not None and track_record(v):
                noted[id(v)] = i  # a record of plain values whose assignments are noted from now on
                self._fast[sp] = (v, snap, True)
                kinds[k] = "n"
                new_noted.append(id(v))
            else:
                plain.append(i)
                kinds[k] = "p"
        sealed = self._seal_plain(d, keys, values, plain, p)
        if new_noted:
            self._register(new_noted)
        self._fast[p] = ("keys", keys, values, plain, _bulk([values[i] for i in plain], check=True), noted, d,
                         kinds, sealed)
        return sealed

    def _seal_plain(self, d: dict, keys: list, values: list, plain: list, p: Path) -> bool:
        """Do the plain entries of a dict (examined just now) note their own changes?
        A list entry whose elements all do is replaced by an equal TrackedList."""
        ok = True
        for i in plain:
            v = values[i]
            t = type(v)
            if t in _IMMUTABLE:
                continue
            if (t is list or t is TrackedList) and self._watching:
                f = self._fast.get(p + (keys[i],))
                if f is not None and f[0] == "items" and f[5]:
                    if t is list:
                        v = TrackedList(v)
                        dict.__setitem__(d, keys[i], v)  # (not a change: no note)
                        values[i] = v
                    self._register((id(v),))
                    continue
            ok = False
        return ok

    def _entry(self, v: Any, sp: Path) -> Any:
        """One dict entry stored as its own part: encoded again unless visibly the
        same.  Returns its snapshot (None: no cheap way to see it unchanged)."""
        if type(v) is list or type(v) is TrackedList:
            self._items(v, sp)  # (it replaces whatever the entry was stored as)
            return None
        fast = self._fast.get(sp)
        snap = _snapshot(v)
        if fast is not None and fast[0] is v and snap is not None and fast[1] == snap:
            return snap
        if self._has_children(sp):
            self._drop_children(sp)
        self._fast[sp] = (v, snap)
        self._put(sp, *self._encode(v, sp))
        return snap

    def _drop_children(self, p: Path) -> None:
        if p not in self.texts and p not in self._out:
            return  # a new part: nothing under it yet
        n = len(p)
        for q in [q for q in self.texts if len(q) > n and q[:n] == p]:
            self._out[q] = None
        for oid in [oid for oid, (q, _) in self.records.items() if len(q) > n and q[:n] == p]:
            del self.records[oid]
            self._open.pop(oid, None)
        for q in [q for q in self._fast if len(q) > n and q[:n] == p]:
            del self._fast[q]

    def _stored_keys(self, p: Path) -> list:
        text = self.texts.get(p)
        if text is None:
            return []  # a new part (the entries of a dict are stored only beside its keys part)
        try:
            d = json.loads(text)
            return list(d["$keys"]) if isinstance(d, dict) and "$keys" in d else []
        except ValueError:
            return []

    def _items(self, items: list, p: Path) -> bool:
        """Examine a list stored as one part (or LIST_CHUNK elements per part).  True
        when every element notes its own changes (then its elements are registered
        under the field being examined)."""
        prev = self._fast.get(p)
        old = prev if prev is not None and prev[0] == "items" else None
        n = len(items)
        touched = self._touched
        if old is not None:
            _, old_items, old_snaps, old_texts, old_ids, all_sealed = old
        texts: list = [None] * n
        snaps: list = [None] * n
        tids: list = [frozenset()] * n
        m = 0
        if old is not None:
            # The elements at their old position, the same object and visibly unchanged,
            # keep their text.  Found in C for the elements that note their own changes
            # (a merge into a long policy list replaces or appends one element).
            m = min(n, len(old_items))
            keep = list(map(_is, items, old_items))
            if all_sealed and n == len(old_items) and False not in keep and old_ids.keys().isdisjoint(touched):
                # The same elements in the same places, each noting its own changes, none
                # noted: unchanged, found without looking at any element's content.
                return True
            for o in touched:
                if o in old_ids:  # an element noted a change (wherever it is, even twice)
                    for i in compress(range(m), map(operator.eq, map(id, items[:m]), repeat(o))):
                        keep[i] = False
            texts[:m] = old_texts[:m]
            snaps[:m] = old_snaps[:m]
            if not all_sealed:
                # kept elements that do not note their own changes: compared by snapshot
                for i in compress(range(m), map(operator.and_, keep, map(operator.is_not, snaps, repeat(_SEALED)))):
                    s = snaps[i]
                    if s is None or _snapshot(items[i]) != s:
                        keep[i] = False
            changed = _falses(keep)
            changed += range(m, n)
        else:
            changed = list(range(n))
        for i in changed:
            v = items[i]
            j = old_ids.get(id(v)) if old is not None else None
            if j is not None and j != i and j < len(old_items) and old_items[j] is v:
                # An element that moved (inserted or removed before it): found by identity.
                s = old_snaps[j]
                if (s is _SEALED and id(v) not in touched) or (s is not None and s is not _SEALED
                                                               and _snapshot(v) == s):
                    texts[i], snaps[i] = old_texts[j], s
                    continue
            snap = _snapshot(v)
            if snap is not None and (type(v) is dict or type(v) is TrackedDict) and _plain_keys(v):
                texts[i] = _dumps(v)  # what the Encoder gives a dict of plain values, directly
            else:
                texts[i], tids[i] = self._encode(v, p)
            sealed = _seal(v, snap, self._watching)
            if sealed is None:
                snaps[i] = snap  # (None unless every field is a plain value)
            else:
                snaps[i] = _SEALED
                if sealed is not v:
                    list.__setitem__(items, i, sealed)  # an equal dict that notes its changes
        # id of an element -> a place it had (a superset of the elements' ids: for finding
        # noted elements and moved ones, each hit checked), kept up to date in proportion
        # to the changed elements, not to the list's length
        if old is not None and len(old_ids) <= 2 * n + 64:
            ids = old_ids.copy()
            for i in changed:
                ids[id(items[i])] = i
        else:
            ids = dict(zip(map(id, items), range(n)))
        if old is not None and all_sealed:
            sealed = all(map(_is, map(snaps.__getitem__, changed), repeat(_SEALED)))
        else:
            sealed = all(map(_is, snaps, repeat(_SEALED, n)))
        self._fast[p] = ("items", list(items), snaps, texts, ids, sealed)
        if sealed:
            if old is not None and all_sealed:
                if changed:
                    self._register([id(items[i]) for i in changed])
            else:  # sealed from now on: every element
                self._register(map(id, items))
        if n <= LIST_CHUNK:
            if self._has_children(p):
                self._drop_children(p)
            self._put(p, '{"$items":[' + ",".join(texts) + "]}", frozenset().union(*tids))
            return sealed
        # A long list: its elements in parts of LIST_CHUNK, so that a request changing
        # or appending one element writes one of them, not the whole list.
        stored = self._out.get(p) or self.texts.get(p) or ""
        if stored.startswith('{"$keys"'):
            self._drop_children(p)
        old_chunks = int(stored[len('{"$chunks":'):-1]) if stored.startswith('{"$chunks":') else 0
        chunks = -(-n // LIST_CHUNK)
        self._put(p, '{"$chunks":%d}' % chunks)
        # A chunk whose every element kept its text, all of them there before, is as stored.
        whole = (len(old_items) // LIST_CHUNK) if old is not None and old_chunks and len(old_items) > LIST_CHUNK else 0
        dirty = {i // LIST_CHUNK for i in changed}
        for k in range(chunks):
            if k < whole and (k + 1) * LIST_CHUNK <= n and k not in dirty:
                continue
            lo = k * LIST_CHUNK
            self._put(p + (f"#{k}",), '{"$items":[' + ",".join(texts[lo:lo + LIST_CHUNK]) + "]}",
                      frozenset().union(*tids[lo:lo + LIST_CHUNK]))
        for k in range(chunks, old_chunks):
            sub = p + (f"#{k}",)
            if sub in self.texts:
                self._out[sub] = None
            else:
                self._out.pop(sub, None)
        return sealed

    def _encode(self, value: Any, path: Path) -> tuple[str, frozenset]:
        met: set[int] = set()

        def aside(table: Table) -> Any:
            tid = self._aside(table)
            met.add(tid)
            return {"$ext": tid}

        enc = Encoder(aside, special_type=Table)
        return _dumps(enc.encode(value)), frozenset(met)


def _base(cls: type) -> type:
    """The stored class of a (possibly tracked) record."""
    while getattr(cls, "__kshell_tracked__", False):
        cls = cls.__mro__[1]
    return cls


_STORED: dict[type, tuple[str, ...]] = {}


def _stored(cls: type) -> tuple[str, ...]:
    got = _STORED.get(cls)
    if got is None:
        got = _STORED[cls] = _fields_of(_base(cls))[0]
    return got


def _tracking(external: Callable[[int], Table], path: Path, parts: ClusterParts) -> Callable[[int], Table]:
    """The Decoder's `external`, noting which tables each part refers to."""

    def get(tid: Any) -> Table:
        t = int(tid)
        had = parts.tids.get(path, frozenset())
        if t not in had:
            parts.tids[path] = had | {t}
            parts.refs[t] = parts.refs.get(t, 0) + 1
        return external(t)

    return get
