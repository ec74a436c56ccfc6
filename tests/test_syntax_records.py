"""Node classes are slotted records (kshell.syntax.records): the dataclass behaviour the
parser and the AST walkers rely on, without dataclasses' code generation at import."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from kshell.syntax import ast
from kshell.syntax.cmd_external_table import PathFormatItem
from kshell.syntax.records import Record, field


def test_constructor_signature_defaults_and_keyword_only_fields():
    call = ast.Call("f", pos=4)
    assert (call.name, call.args, call.target, call.pos) == ("f", [], None, 4)
    assert ast.Call("f").args is not ast.Call("f").args  # a fresh list per node (default_factory)
    with pytest.raises(TypeError):
        ast.Literal("long")  # `value` is required
    with pytest.raises(TypeError):
        ast.Name("x", 3)  # `pos` is keyword-only
    with pytest.raises(TypeError):
        ast.Name("x", colour="red")
    assert PathFormatItem("x", False).pattern == ""


def test_equality_repr_and_hash_as_a_dataclass():
    assert ast.Binary("+", ast.Name("a"), ast.Literal("long", 1)) == ast.Binary("+", ast.Name("a"), ast.Literal("long", 1))
    assert ast.Name("a") != ast.Name("b") and ast.Name("a", pos=1) != ast.Name("a", pos=2)
    assert ast.Name("a") != "a" and ast.Name("a") != ast.Call("a")
    assert repr(ast.Call("f", pos=3)) == "Call(pos=3, name='f', args=[], target=None)"
    with pytest.raises(TypeError):
        hash(ast.Name("a"))
    with pytest.raises(AttributeError):
        ast.Name("a").colour = "red"  # slotted


def test_dataclasses_api_works_on_nodes():
    node = ast.Call("f", [ast.Name("x")], pos=2)
    assert dataclasses.is_dataclass(node) and dataclasses.is_dataclass(ast.Call)
    assert [f.name for f in dataclasses.fields(node)] == ["pos", "name", "args", "target"]
    assert dataclasses.replace(node, name="g") == ast.Call("g", [ast.Name("x")], pos=2)
    assert dataclasses.asdict(ast.Name("x", pos=1)) == {"pos": 1, "name": "x"}
    assert copy.deepcopy(node) == node and copy.deepcopy(node) is not node


def test_subclasses_have_their_own_constructor_whichever_is_built_first():
    class A(Record):
        a: int
        items: list = field(default_factory=list)

    class B(A):
        b: str = "x"
        tag: int = field(default=0, kw_only=True)

    assert A(1) == A(1, [])  # A's constructor compiled first...
    assert B(1, [2], "y", tag=3).tag == 3 and B(1).b == "x"  # ...B still gets its own
    assert A(2).items == [] and repr(B(1)).endswith(".B(a=1, items=[], b='x', tag=0)")
    assert B.__match_args__ == ("a", "items", "b")


def test_no_node_class_is_still_a_generated_dataclass():
    """A node class decorated with @dataclass again would be rebuilt by dataclasses (and
    pay its import-time cost): the families define nodes as plain subclasses."""
    from kshell.syntax import commands

    commands._load_families()
    seen, todo = set(), [ast.Node]
    while todo:
        cls = todo.pop()
        seen.add(cls)
        assert "__dataclass_params__" not in cls.__dict__, f"{cls.__module__}.{cls.__qualname__}"
        todo += [c for c in cls.__subclasses__() if c not in seen]
    assert len(seen) > 100


# ------------------------------------------------------------ the engine's records

def test_frozen_records_refuse_changes_hash_by_value_and_copy():
    class P(Record, frozen=True):
        kind: str
        ident: str
        note: list = field(default_factory=list, compare=False)

    a, b = P("aaduser", "x"), P("aaduser", "x", ["other"])
    assert a == b and hash(a) == hash(b) == hash(("aaduser", "x"))  # `note` is not compared
    assert {a: 1}[b] == 1 and P("aaduser", "y") != a
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.kind = "aadapp"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del a.ident
    assert copy.deepcopy(b) == b and copy.deepcopy(b).note == ["other"] and copy.copy(b).note is b.note
    assert [(f.name, f.compare) for f in dataclasses.fields(P)] == [("kind", True), ("ident", True), ("note", False)]
    with pytest.raises(TypeError):
        class Q(P, frozen=False):  # as dataclasses: no mixing of frozen and mutable
            extra: int = 0


def test_post_init_runs_and_explicit_slots_are_kept():
    class T(Record):
        columns: list
        data: list = field(default_factory=list)

        def __post_init__(self):
            if not self.data:
                self.data = [[] for _ in self.columns]

    class Lazy(T):
        __slots__ = ("_loader",)

    assert T(["a", "b"]).data == [[], []] and T(["a"], [[1]]).data == [[1]]
    lazy = Lazy.__new__(Lazy)
    lazy._loader = "kept"  # a slot that is no field
    assert lazy._loader == "kept" and [f.name for f in dataclasses.fields(Lazy)] == ["columns", "data"]


def test_engine_records_are_records_and_behave_as_their_dataclasses_did():
    import pickle

    from kshell.engine import auth, cluster, permissions
    from kshell.store.tracking import track, track_record

    table = cluster.Table("T", [cluster.Column("a", "long")])
    assert table.data == [[]] and repr(cluster.Column("a", "long")) == "Column(name='a', type='long', docstring='')"
    p = auth.parse_fqn("aaduser=Alice@contoso.com")
    assert p == auth.parse_fqn("aaduser=Alice@contoso.com") and len({p, auth.parse_fqn("aaduser=Alice@contoso.com")}) == 1
    assert pickle.loads(pickle.dumps(p)) == p and copy.deepcopy(p) == p
    flow = permissions.Flow("update policy", "[Db].[T]", "Db")
    flow.refusals.append("no")
    assert flow == permissions.Flow("update policy", "[Db].[T]", "Db")  # refusals are not compared
    # tracked copies (the state file switches their class) still compare as their base
    a, b = auth.RoleAssignment("Admin", "aaduser=a@x.com"), auth.RoleAssignment("Admin", "aaduser=a@x.com")
    assert track_record(a) and type(a) is not auth.RoleAssignment and a == b and b == a
    c = cluster.new_cluster()
    assert track(c) and type(c) is not cluster.Cluster and c.database("NetDefaultDB") is not None
    for cls in (cluster.Cluster, cluster.Database, cluster.Table, auth.Principal, auth.RoleAssignment, auth.Access,
                permissions.Flow):
        assert "__dataclass_params__" not in vars(cls) and dataclasses.is_dataclass(cls), cls


def test_derived_ids_as_text_equal_the_uuid5_values():
    import uuid

    from kshell.engine import cluster

    for text in ("tenant/kshell", "principal/aaduser/a@x.com", "é/ü", ""):
        assert cluster.derived_id_text(text) == str(cluster.derived_id(text)) == str(uuid.uuid5(cluster.ID_NAMESPACE, text))
    assert cluster.ID_NAMESPACE == uuid.UUID("6b9a3f0e-3d1c-4c55-9e53-8f2d6c1a7b40")


def test_classes_of_the_same_shape_keep_their_own_names_and_messages():
    class A(Record):
        a: int
        b: list = field(default_factory=list)

    class B(Record):
        x: str
        y: dict = field(default_factory=dict)

    class F(Record, frozen=True):
        u: int
        v: int = 2

    assert (A(1).a, A(1).b, B("s").x, B("s").y, B(x="t", y={1: 2}).y) == (1, [], "s", {}, {1: 2})
    assert F(1).v == 2 and F(u=3, v=4) == F(3, 4)
    with pytest.raises(TypeError, match=r"A.__init__\(\) missing 1 required positional argument: 'a'"):
        A()
    with pytest.raises(TypeError, match="unexpected keyword argument 'a'"):
        B(a=1)
    with pytest.raises(TypeError, match="non-default argument 'c' follows default argument"):
        class C(A):
            c: int

        C(1)


def test_engine_records_are_not_generated_dataclasses():
    """The engine's record classes are Records (none is built by `dataclasses`)."""
    import sys

    from kshell.engine import session

    session.load_families()
    generated = sorted(f"{name}:{cls.__qualname__}" for name, mod in list(sys.modules.items())
                       if name.startswith("kshell.engine") for cls in vars(mod).values()
                       if isinstance(cls, type) and cls.__module__ == name and "__dataclass_params__" in vars(cls))
    assert generated == []
    from kshell.engine.references import QueryReferences

    refs = QueryReferences()
    refs.note = "kept"  # the unslotted ones still take other attributes, as their dataclasses did
    assert refs.note == "kept" and refs == QueryReferences() and refs.tables == set()
