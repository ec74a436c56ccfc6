"""Mutated external-table, ingest and export commands fail only with Kusto errors and change nothing."""

from __future__ import annotations

import random

import pytest

from kshell.errors import KustoError
from kshell.syntax.tokens import tokenize

SEEDS = [
    """.create external table ExternalTable (Timestamp:datetime, CustomerName:string)
kind=storage
partition by (CustomerId:long = hash(CustomerName, 10), Date:datetime = startofday(Timestamp))
pathformat=("customer_id=" CustomerId "/dt=" datetime_pattern("yyyyMMdd", Date))
dataformat=csv
( h@'https://acct1.blob.core.windows.net/container1;secretKey' )
with (fileExtension = ".txt")""",
    """.create-or-alter external table E (x:long, s:string) kind=storage partition by (D:datetime = bin(x, 1d))
dataformat=json (h@'abfss://fs@acct1.dfs.core.windows.net/p;managed_identity=system', 'https://acct1.blob.core.windows.net/c?sv=1&sig=2')""",
    """.create external table S (x:int, s:string) kind=sql table=T1
(h@'Server=tcp:s,1433;Authentication="Active Directory Managed Identity";User Id=123;Initial Catalog=D;')
with (sqlDialect="MsSqlServer", createifnotexists=true, primarykey="x")""",
    """.ingest async into table T (h'https://acct1.blob.core.windows.net/c/f.csv;impersonate',
'https://acct1.blob.core.windows.net/c/g.json?sp=r&sig=x') with (format='multijson', ignoreFirstRecord=true)""",
    """.export async compressed to csv (h@"https://acct1.blob.core.windows.net/out;k") with (sizeLimit=104857600,
namePrefix="export", includeHeaders="all") <| T | where n > 1""",
    """.export to table E <| T | project x=n, s""",
    """.show external table E artifacts limit 10""",
    """.drop external table E ifexists""",
]


def _mutations(text: str, rng: random.Random, n: int) -> list[str]:
    tokens = [t for t in tokenize(text, trivia=True, lenient=True)]
    out = []
    for _ in range(n):
        kind = rng.randrange(4)
        pieces = [t.text for t in tokens]
        i = rng.randrange(len(pieces))
        if kind == 0:
            del pieces[i]
        elif kind == 1:
            pieces.insert(i, rng.choice(["(", ")", ",", "=", "'x'", "1d", "storage", "bin", ":", "with", "<|"]))
        elif kind == 2:
            j = rng.randrange(len(pieces))
            pieces[i], pieces[j] = pieces[j], pieces[i]
        else:
            pieces = pieces[:i]
        out.append("".join(pieces))
    return out


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_mutations_fail_cleanly_and_change_nothing(seed, session, tmp_path):
    session.storage_dir = str(tmp_path)
    (tmp_path / "acct1" / "c").mkdir(parents=True)
    (tmp_path / "acct1" / "c" / "f.csv").write_text("a,1\n")
    session.execute(".create table T (s:string, n:long)")
    rng = random.Random(seed)
    for text in _mutations(SEEDS[seed], rng, 150):
        before = (sorted(session.database.external_tables), session.database.tables["T"].row_count)
        try:
            session.execute(text)
        except KustoError:
            after = (sorted(session.database.external_tables), session.database.tables["T"].row_count)
            assert after == before, text
        # reset what a successful mutation created
        session.database.external_tables.clear()
