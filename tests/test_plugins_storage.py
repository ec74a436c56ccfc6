"""infer_storage_schema(_with_suggestions) over the simulated storage: the docs' example,
the inference modes, and the caller's rights (the storage access check of every flow)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from storage_support import run

from kshell.errors import BadRequest, Forbidden, KustoError, NotSupported

URI = "https://acct1.blob.core.windows.net/data"


@pytest.fixture
def state(session, storage_state):
    st = storage_state
    return st


def write(state, relative: str, text: str, mtime: int | None = None) -> None:
    path = Path(state.session.storage_dir) / "acct1" / "data" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def infer(state, options: str, plugin: str = "infer_storage_schema"):
    return run(state, f"evaluate {plugin}(dynamic({options}))")


def test_docs_example_with_suggestions(state):
    write(state, "js-1.json", json.dumps({"source": "DataExplorer", "created_at": "2022-04-10 15:47:57",
                                          "author_id": 739144091473215488, "time_millisec": 1547083647000}))
    r = infer(state, f"{{'StorageContainers': ['{URI};secretKey'], 'FileExtension': '.json', "
                     "'FileNamePrefix': 'js-', 'DataFormat': 'json'}", "infer_storage_schema_with_suggestions")
    cols = r.rows[0][0]["Columns"]
    got = [(c["OriginalColumn"]["Name"], c["OriginalColumn"]["CslType"]["type"],
            c["RecommendedColumn"]["CslType"]["type"], c["ApplicableTransformationMapping"]) for c in cols]
    assert got == [("source", "string", "string", "None"), ("created_at", "datetime", "datetime", "None"),
                   ("author_id", "long", "string", "None"),
                   ("time_millisec", "long", "datetime", "DateTimeFromUnixMilliseconds")]
    assert cols[2]["OriginalColumn"]["CslType"] == {"type": "long", "IsNumeric": True, "IsSummable": True}
    assert cols[1]["RecommendedColumn"]["CslType"] == {"type": "datetime", "IsNumeric": False, "IsSummable": True}


def test_csl_schema_of_a_csv_file_with_a_header(state):
    write(state, "part-1.csv", "id,name,when,score,ok\n1,x,2020-01-01,2.5,true\n2,y,2021-06-01 10:00,3,false\n")
    r = infer(state, f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'csv', "
                     "'InferenceOptions': {'UseFirstRowAsHeader': true}}")
    assert [c.name for c in r.columns] == ["CslSchema"]
    assert r.rows == [["id:long, name:string, when:datetime, score:real, ok:bool"]]


def test_without_a_header_columns_are_numbered(state):
    write(state, "a.tsv", "1\tx\n2\t\n")
    r = infer(state, f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'tsv'}}")
    assert r.rows == [["Column1:long, Column2:string"]]


def test_modes_last_any_and_all(state):
    write(state, "a.csv", "1,x\n", mtime=1_600_000_000)
    write(state, "b.csv", "1.5,x,extra\n", mtime=1_500_000_000)
    base = f"'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'csv'"
    assert infer(state, f"{{{base}}}").rows == [["Column1:long, Column2:string"]]  # last written: a.csv
    assert infer(state, f"{{{base}, 'Mode': 'any'}}").rows == [["Column1:long, Column2:string"]]
    assert infer(state, f"{{{base}, 'Mode': 'all'}}").rows == [["Column1:real, Column2:string, Column3:string"]]


def test_the_result_feeds_an_external_table_definition(state):
    write(state, "e.csv", "7,seven\n")
    schema = infer(state, f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'csv'}}").rows[0][0]
    run(state, f".create external table E ({schema}) kind=storage dataformat=csv (h@'{URI};secretKey')")
    assert run(state, 'external_table("E")').rows == [[7, "seven"]]


# ------------------------------------------------------------------ the caller's rights

def test_impersonation_needs_the_callers_storage_role(state):
    write(state, "a.csv", "1\n")
    query = f"{{'StorageContainers': ['{URI};impersonate'], 'DataFormat': 'csv'}}"
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Reader"):
        infer(state, query)
    run(state, f"#storage grant acct1 {state.session.principal} reader")
    assert infer(state, query).rows == [["Column1:long"]]


def test_managed_identity_needs_the_external_data_request_usage(state):
    write(state, "a.csv", "1\n")
    query = f"{{'StorageContainers': ['{URI};managed_identity=system'], 'DataFormat': 'csv'}}"
    run(state, "#storage grant acct1 system reader")
    with pytest.raises(Forbidden, match="ExternalDataRequest"):
        infer(state, query)
    run(state, '.alter-merge cluster policy managed_identity '
               '```[{"ObjectId":"system","AllowedUsages":"ExternalDataRequest"}]```')
    assert infer(state, query).rows == [["Column1:long"]]


def test_a_principal_without_database_access_cannot_run_it(state):
    write(state, "a.csv", "1\n")
    run(state, "#as aaduser=stranger@contoso.com")
    with pytest.raises(Forbidden):
        infer(state, f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'csv'}}")


def test_a_link_out_of_the_storage_directory_is_refused(state, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("1\n")
    target = Path(state.session.storage_dir) / "acct1" / "data"
    target.mkdir(parents=True)
    os.symlink(outside / "secret.csv", target / "s.csv")
    with pytest.raises(Forbidden, match="outside the storage directory"):
        infer(state, f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'csv'}}")


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("options, error, message", [
    ("{'DataFormat': 'csv'}", KustoError, "StorageContainers"),
    (f"{{'StorageContainers': ['{URI};secretKey']}}", KustoError, "DataFormat"),
    (f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'parquet'}}", NotSupported, "parquet"),
    (f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'xml'}}", KustoError, "unknown DataFormat"),
    (f"{{'StorageContainers': ['{URI};secretKey'], 'DataFormat': 'csv', 'Mode': 'first'}}", KustoError, "Mode"),
    (f"{{'StorageContainers': ['{URI}/none;secretKey'], 'DataFormat': 'csv'}}", BadRequest, "no file"),
    ("{'StorageContainers': ['https://nope.example.com/x'], 'DataFormat': 'csv'}", BadRequest,
     "not a storage connection string"),
])
def test_bad_requests(state, options, error, message):
    write(state, "a.csv", "1\n")
    with pytest.raises(error, match=message):
        infer(state, options)


def test_a_secret_never_shows_in_an_error(state):
    with pytest.raises(KustoError) as info:
        infer(state, "{'StorageContainers': ['https://nope.example.com/x;TopSecretKey'], 'DataFormat': 'csv'}")
    assert "TopSecretKey" not in str(info.value)


def test_end_to_end_in_the_shell(run_kshell, tmp_path):
    storage = tmp_path / "st"
    (storage / "acct1" / "data").mkdir(parents=True)
    (storage / "acct1" / "data" / "x.json").write_text('{"a": 1, "b": "two"}\n')
    rc, out, err = run_kshell("#storage create acct1\n\n"
                              f"evaluate infer_storage_schema(dynamic({{'StorageContainers': ['{URI};key'], "
                              "'DataFormat': 'multijson'}))\n", "--storage", str(storage), "--format", "csv")
    assert rc == 0, err
    assert "a:long, b:string" in out


def test_a_function_using_it_is_created_without_reading_storage(state):
    # validating the body computes its schema only: no file, no access check yet
    run(state, ".create function F() { evaluate infer_storage_schema(dynamic({'StorageContainers': "
               f"['{URI}/later;impersonate'], 'DataFormat': 'csv'}})) }}")
    with pytest.raises(Forbidden):
        run(state, "F()")
