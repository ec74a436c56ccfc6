"""Malformed or hostile engine-core commands fail with Kusto errors, never Python ones, and change nothing."""

from __future__ import annotations

import copy
import random

import pytest

from kshell.errors import KustoError

SEED_COMMANDS = [
    '.create table T (a:string, b:long) with (folder="F", docstring="D")',
    ".create-merge tables A (x:int), B (y:string)",
    ".alter-merge table T (c:real)",
    '.alter table T docstring "x"',
    ".drop tables (A, B) ifexists",
    ".rename tables A=B, B=A",
    ".show table T schema as json",
    ".show databases (NetDefaultDB) schema as json",
    '.create function with (folder="f", skipvalidation=true) F(x:long, T:(a:string)) { T | take x }',
    ".drop functions (F, G) ifexists",
    ".ingest inline into table T with (format='json') <|\n{\"a\":1}",
    ".ingest inline into table T\n[x,1]",
    ".set-or-append T with (extend_schema=true) <| print a='x', b=1",
    ".create table T ingestion csv mapping 'M' '[{\"Name\":\"a\",\"Ordinal\":0}]'",
    ".create database D volatile ifnotexists",
]

ODD_DATA = [
    "", "\n", '"unterminated', "a,b,c,d,e,f,g", "\x00\x01", "[", "]", "{", "1e999,1e999",
    "9999-99-99,99:99:99", '"""",""', "\t\t", "x" * 5000,
]


def fingerprint(session):
    return {key: ({n: ([(c.name, c.type) for c in t.columns], copy.deepcopy(t.data), t.folder, t.docstring)
                   for n, t in db.tables.items()},
                  {n: (f.parameters, f.body, f.folder) for n, f in db.functions.items()})
            for key, db in session.cluster.databases.items()}


def mutations(text: str, rng: random.Random, n: int):
    for _ in range(n):
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            op = rng.randint(0, 2)
            i = rng.randrange(len(chars) + 1)
            if op == 0 and chars:
                del chars[min(i, len(chars) - 1)]
            elif op == 1:
                chars.insert(i, rng.choice("()[]{},;:=|<'\"` .-x1"))
            else:
                chars = chars[:i]
        yield "".join(chars)


def run_guarded(session, text):
    before = fingerprint(session)
    try:
        session.execute(text)
    except KustoError:
        assert fingerprint(session) == before, text
    except RecursionError:
        pytest.fail(f"recursion on {text!r}")


def test_mutated_commands_fail_cleanly(session):
    session.execute(".create table T (a:string, b:long)")
    rng = random.Random(4)
    for seed in SEED_COMMANDS:
        for text in mutations(seed, rng, 25):
            if text.strip():
                run_guarded(session, text)


@pytest.mark.parametrize("data", ODD_DATA)
@pytest.mark.parametrize("fmt", ["csv", "tsv", "psv", "json", "multijson", "txt"])
def test_odd_inline_data(session, data, fmt):
    session.execute(".create table T (a:string, b:long, c:datetime, d:dynamic, e:bool, f:timespan, g:guid)")
    run_guarded(session, f".ingest inline into table T with (format='{fmt}') <|\n{data}")
