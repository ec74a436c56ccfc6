"""Slotted record classes without `dataclasses` code generation at import.

The parser's node classes (kshell.syntax.ast and the command families) and the
engine's stored records (kshell.engine.cluster, auth, azure ...) used to be
`@dataclass(slots=True)`: `dataclasses` writes and compiles an `__init__`, `__repr__`
and `__eq__` for every class when its module is imported (and importing it pulls in
`inspect`, `ast`, `dis` and `tokenize`), which made them the largest cost of script
start-up (issue 18).  `RecordMeta` reads the same class bodies (annotated fields,
defaults, `field(default_factory=..., kw_only=..., compare=...)`) and gives the same
public behaviour:

- `__slots__` from the annotations, computed when the class is created (cheap), plus
  any `__slots__` the class body names itself (extra, non-field attributes);
- `__init__` with the dataclass signature (fields in definition order, base classes
  first; keyword-only fields after `*`), calling `__post_init__` when the class has
  one, made for a class the first time one is built -- a request pays only for the
  classes it uses -- from a template compiled once per field count;
- `__eq__` (same class, equal compared fields), `__repr__` (`Name(field=value, ...)`),
  unhashable (as a non-frozen dataclass);
- `class X(Record, frozen=True)`: assigning or deleting a field raises
  `dataclasses.FrozenInstanceError`, `__hash__` hashes the compared fields, and copies
  and pickles restore the fields (as a frozen slotted dataclass);
- `dataclasses.fields`, `is_dataclass`, `replace` and `asdict` work through a
  `__dataclass_fields__` built on first access (the AST walkers and the state file
  use them); they import `dataclasses` only then.
"""

from __future__ import annotations

from operator import attrgetter
from types import CodeType, FunctionType

_MISSING = object()
_object_setattr = object.__setattr__


class field:  # noqa: N801 - spelled as dataclasses.field, which it replaces in record classes
    """A field's default, default factory, keyword-only flag or comparison flag (as `dataclasses.field`)."""

    __slots__ = ("default", "default_factory", "kw_only", "compare")

    def __init__(self, *, default=_MISSING, default_factory=_MISSING, kw_only=False, compare=True):
        self.default, self.default_factory, self.kw_only, self.compare = default, default_factory, kw_only, compare


class _Spec:
    __slots__ = ("name", "type", "default", "factory", "kw_only", "compare")

    def __init__(self, name, type_, default, factory, kw_only, compare=True):
        self.name, self.type, self.default, self.factory, self.kw_only = name, type_, default, factory, kw_only
        self.compare = compare


def _lazy_init(self, *args, **kwargs):
    """Every record class starts with this `__init__`; the first call compiles the real one."""
    cls = type(self)
    init = _compile_init(cls)
    cls.__init__ = init
    init(self, *args, **kwargs)


def _compile_init(cls):
    """The class's `__init__`: a shared template for its number of fields, renamed.

    Compiling a fresh `__init__` per class cost 0.05-0.25 ms each (a script builds a dozen
    record classes); the template is compiled once per (positional, keyword-only) field
    count and given the class's parameter and attribute names by `code.replace`."""
    specs = cls.__record_specs__
    positional = [s for s in specs if not s.kw_only]
    ordered = positional + [s for s in specs if s.kw_only]
    frozen = cls.__record_frozen__
    template = _template(len(positional), len(ordered) - len(positional), frozen, hasattr(cls, "__post_init__"))
    params = {f"_p{i}": s.name for i, s in enumerate(ordered)}
    attrs = {f"_a{i}": s.name for i, s in enumerate(ordered)}
    consts = template.co_consts
    if frozen:  # the attribute names are the constants of `_set(self, name, value)`
        consts = tuple(attrs.get(c, c) if type(c) is str else c for c in consts)
    code = template.replace(
        co_varnames=tuple(params.get(v, v) for v in template.co_varnames),
        co_names=tuple(attrs.get(n, n) for n in template.co_names), co_consts=consts,
        co_qualname=f"{cls.__qualname__}.__init__")
    env = {"__builtins__": __builtins__, "_MISSING": _MISSING, "_set": _object_setattr}
    defaults, kwdefaults = [], {}
    for i, s in enumerate(ordered):
        if s.factory is not _MISSING:
            env[f"_f{i}"] = s.factory
            default = _MISSING  # a parameter left out: the body calls the factory
        else:
            default = s.default
        if s.kw_only:
            if default is not _MISSING or s.factory is not _MISSING:
                kwdefaults[s.name] = default
        elif default is not _MISSING or s.factory is not _MISSING:
            defaults.append(default)
        elif defaults:
            raise TypeError(f"non-default argument {s.name!r} follows default argument")
    init = FunctionType(code, env, "__init__", tuple(defaults) or None)
    init.__kwdefaults__ = kwdefaults or None
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


_TEMPLATES: dict = {}


def _template(npos, nkw, frozen, post_init):
    """`__init__(self, _p0, ..., *, _pN, ...)` storing each `_pI` as attribute `_aI`, or the
    factory `_fI()` when the parameter was left out (its default is then _MISSING)."""
    key = (npos, nkw, frozen, post_init)
    code = _TEMPLATES.get(key)
    if code is None:
        n = npos + nkw
        params = ["self", *[f"_p{i}" for i in range(npos)], *(["*"] if nkw else []),
                  *[f"_p{i}" for i in range(npos, n)]]
        body = []
        for i in range(n):
            value = f"_p{i} if _p{i} is not _MISSING else _f{i}()"
            body.append(f" _set(self, '_a{i}', {value})" if frozen else f" self._a{i} = {value}")
        if post_init:
            body.append(" self.__post_init__()")
        src = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or " pass") + "\n"
        module = compile(src, "<record __init__>", "exec")
        code = _TEMPLATES[key] = next(c for c in module.co_consts if isinstance(c, CodeType))
    return code


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    get = self.__record_get__
    return get(self) == get(other)


def _repr(self):
    parts = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_names__)
    return f"{type(self).__qualname__}({parts})"


def _frozen_hash(self):
    return hash(self.__record_get__(self))


def _frozen_error(name):
    import dataclasses  # only on the error path

    return dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_setattr(self, name, value):
    if name in self.__record_names__:
        raise _frozen_error(name)
    _object_setattr(self, name, value)  # an extra slot a subclass declares


def _frozen_delattr(self, name):
    if name in self.__record_names__:
        raise _frozen_error(name)
    object.__delattr__(self, name)


def _frozen_getstate(self):
    return [getattr(self, n) for n in self.__record_names__]


def _frozen_setstate(self, state):
    for n, v in zip(self.__record_names__, state):
        _object_setattr(self, n, v)


class _DataclassFields:
    """`__dataclass_fields__`, built with real `dataclasses.Field` objects on first use."""

    def __get__(self, obj, cls):
        cached = cls.__dict__.get("__record_dc_fields__")
        if cached is not None:
            return cached
        import dataclasses

        out = {}
        for s in cls.__record_specs__:
            f = dataclasses.field(default=dataclasses.MISSING if s.default is _MISSING else s.default,
                                  default_factory=dataclasses.MISSING if s.factory is _MISSING else s.factory,
                                  kw_only=s.kw_only, compare=s.compare)
            f.name, f.type, f._field_type = s.name, s.type, dataclasses._FIELD  # as dataclasses sets them
            out[s.name] = f
        type.__setattr__(cls, "__record_dc_fields__", out)
        return out


class RecordMeta(type):
    # Runs for every record class when its module is imported (some 300 node classes, the
    # engine's records): kept to plain loops, it costs little more than `type` itself.
    def __new__(mcs, name, bases, ns, frozen=None):
        if len(bases) == 1:
            base = bases[0]
            inherited = getattr(base, "__record_specs__", ())
            inherited_frozen = getattr(base, "__record_frozen__", False)
        else:
            inherited = []
            for b in bases:
                for s in getattr(b, "__record_specs__", ()):
                    if all(s.name != t.name for t in inherited):
                        inherited.append(s)
            inherited_frozen = any(getattr(b, "__record_frozen__", False) for b in bases)
        annotations = ns.get("__annotations__")
        if annotations:
            own = []
            pop = ns.pop
            for fname, ftype in annotations.items():
                value = pop(fname, _MISSING)
                if value.__class__ is field:
                    own.append(_Spec(fname, ftype, value.default, value.default_factory, value.kw_only,
                                     value.compare))
                else:
                    own.append(_Spec(fname, ftype, value, _MISSING, False))
            specs = (*[s for s in inherited if s.name not in annotations], *own) if inherited else tuple(own)
            if len(bases) == 1:
                slots = tuple([n for n in annotations if not hasattr(base, n)])
            else:
                slots = tuple([n for n in annotations if not any(hasattr(b, n) for b in bases)])
        else:
            specs, slots = tuple(inherited), ()
        extra = ns.get("__slots__")
        if extra:
            slots += (extra,) if isinstance(extra, str) else tuple(extra)
        ns["__slots__"] = slots
        ns["__record_specs__"] = specs
        ns["__record_names__"] = tuple([s.name for s in specs])
        ns["__match_args__"] = tuple([s.name for s in specs if not s.kw_only])
        if "__init__" not in ns:
            ns["__init__"] = _lazy_init
        if frozen is None:
            frozen = inherited_frozen
        elif bool(frozen) != inherited_frozen and inherited:
            raise TypeError("cannot inherit frozen record from non-frozen one" if frozen else
                            "cannot inherit non-frozen record from frozen one")
        ns["__record_frozen__"] = frozen = bool(frozen)
        if frozen and not inherited_frozen:
            ns.setdefault("__setattr__", _frozen_setattr)
            ns.setdefault("__delattr__", _frozen_delattr)
            ns.setdefault("__hash__", _frozen_hash)
            ns.setdefault("__getstate__", _frozen_getstate)
            ns.setdefault("__setstate__", _frozen_setstate)
        return super().__new__(mcs, name, bases, ns)

    def __init__(cls, name, bases, ns, frozen=None):
        super().__init__(name, bases, ns)
        names = tuple([s.name for s in cls.__record_specs__ if s.compare])
        # one attribute getter per class: equality (and a frozen record's hash) compares
        # the compared fields as one tuple
        cls.__record_get__ = staticmethod(
            _no_fields if not names else
            (lambda o, n=names[0]: (getattr(o, n),)) if len(names) == 1 else
            attrgetter(*names))


def _no_fields(o):
    return ()


class Record(metaclass=RecordMeta):
    """Base of slotted records: subclass and annotate the fields (`frozen=True` as a class keyword)."""

    __eq__ = _eq
    __repr__ = _repr
    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as a dataclass
    __dataclass_fields__ = _DataclassFields()
