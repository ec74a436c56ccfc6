"""Handlers of the function family (spec 1.5, 9 rows 54-57).

The parameter list and body are stored as text (what `.show functions`
prints).  `.create`/`.alter`/`.create-or-alter function` validate the body
with the query engine (kshell.query.output_schema) unless
`skipvalidation=true`, which is how bodies that reference `$source_table` or
not-yet-existing tables get created (spec 1.5).
"""

from __future__ import annotations

from kshell.errors import BadRequest, Conflict, EntityNotFound, KustoError, SemanticError
from kshell.result import Result
from kshell.engine.cluster import Database, Function
from kshell.engine.session import Session, handler
from kshell.engine.tables import text_property, validate_name
from kshell.syntax.cmd_function import AlterFunctionAttribute, CreateFunction, DropFunctions, ShowFunctions
from kshell.syntax.tokens import tokenize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FUNCTION_COLUMNS = [("Name", "string"), ("Parameters", "string"), ("Body", "string"), ("Folder", "string"),
                    ("DocString", "string")]


def function_row(f: Function) -> list[Any]:
    return [f.name, f.parameters, f.body, f.folder, f.docstring]


def functions_result(functions: list[Function]) -> Result:
    return Result.of(FUNCTION_COLUMNS, [function_row(f) for f in functions])


def get_function(db: Database, name: str) -> Function:
    f = db.functions.get(name)
    if f is None:
        raise EntityNotFound(f"Function '{name}' was not found in database '{db.name}'")
    return f


def normalized_parameters(text: str) -> str:
    """`( a : long,T:(x: string) )` -> `(a:long, T:(x:string))`: the service's spelling."""
    out = []
    for tok in tokenize(text):
        out.append(tok.text)
        if tok.kind == "OP" and tok.text == ",":
            out.append(" ")
    return "".join(out)


def bool_property(properties: dict, name: str) -> bool | None:
    for k, v in properties.items():
        if k.lower() == name:
            if isinstance(v, bool):
                return v
            if isinstance(v, str) and v.strip().lower() in ("true", "false"):
                return v.strip().lower() == "true"
            raise BadRequest(f"property '{k}' must be true or false")
    return None


@handler(CreateFunction)
def create_function(session: Session, node: CreateFunction) -> Result:
    db = session.database
    validate_name(node.name, "function")
    existing = db.functions.get(node.name)
    if node.mode == "create" and existing is not None:
        if node.ifnotexists:
            return functions_result([existing])
        raise Conflict(f"Function '{node.name}' already exists in database '{db.name}' "
                       "(use .create-or-alter function, or ifnotexists)")
    if node.mode == "alter" and existing is None:
        raise EntityNotFound(f"Function '{node.name}' was not found in database '{db.name}'")
    if node.name in db.tables:
        raise BadRequest(f"'{node.name}' is already the name of a table in database '{db.name}'")
    props = node.properties
    folder = text_property(props, "folder")
    docstring = text_property(props, "docstring")
    skip = bool_property(props, "skipvalidation")
    view = bool_property(props, "view")
    if not skip:
        validate_body(session, node)
    f = Function(
        node.name, normalized_parameters(node.parameters), node.body,
        folder=folder if folder is not None else (existing.folder if existing else ""),
        docstring=docstring if docstring is not None else (existing.docstring if existing else ""),
        skipvalidation=bool(skip),
        view=view if view is not None else (existing.view if existing else False),
        principals=existing.principals if existing else [],
        created_by=existing.created_by if existing else session.principal,
    )
    db.functions[node.name] = f
    return functions_result([f])


def validate_body(session: Session, node: CreateFunction) -> None:
    """Type-check the body with its parameters bound; a failure is a SemanticError."""
    try:
        from kshell.query import output_schema
        from kshell.engine.queries import SessionQueryContext
    except ImportError:
        return  # the query engine is not available: nothing to validate with
    if node.body_query is None:
        return
    ctx = SessionQueryContext(session)
    try:
        if not _evaluate_body(node.body_query, ctx, node.params, node.text):
            output_schema(node.body_query, ctx, params=node.params)
    except KustoError as e:
        raise SemanticError(f"Function '{node.name}' is not valid: {e.message} "
                            "(use with (skipvalidation = true) to create it anyway)",
                            line=e.line, column=e.column) from None


def _evaluate_body(body: Any, ctx: Any, params: list | None, text: str) -> bool:
    """Type-check a body that may end with a scalar expression (a scalar function such as
    `f(x:long) { x + 1 }`), which the query engine's output_schema refuses.  Returns False
    when the engine's evaluator is not usable this way (then output_schema decides)."""
    try:
        from kshell.query.evaluator import Evaluator

        ev = Evaluator(ctx, schema_only=True)
        if params:
            ev.bind_params(params)
        run = ev.eval_query
    except (ImportError, AttributeError, TypeError):
        return False
    # The body's node positions are offsets in the whole command text.
    run(body, ev.root, text=text or getattr(body, "text", "") or "")
    return True


@handler(AlterFunctionAttribute)
def alter_function_attribute(session: Session, node: AlterFunctionAttribute) -> Result:
    f = get_function(session.database, node.name)
    setattr(f, node.attribute, node.value)
    return functions_result([f])


@handler(DropFunctions)
def drop_functions(session: Session, node: DropFunctions) -> Result:
    db = session.database
    names = []
    for name in node.names:
        if name not in db.functions:
            if node.ifexists:
                continue
            raise EntityNotFound(f"Function '{name}' was not found in database '{db.name}'")
        names.append(name)
    for name in names:
        del db.functions[name]
    if not node.plural:
        return Result.of([("Name", "string")], [[n] for n in names])
    return functions_result(list(db.functions.values()))


@handler(ShowFunctions)
def show_functions(session: Session, node: ShowFunctions) -> Result:
    db = session.database
    if node.name is None:
        return functions_result(list(db.functions.values()))
    return functions_result([get_function(db, node.name)])
