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
