"""Attacks on the simulated storage: links out of the storage directory, account names that
are paths, exports that fail or crash half-way.

Every path goes through one resolver (kshell.engine.storage.local_path), which follows
symbolic links and refuses what leaves the storage directory.
"""

from __future__ import annotations

import os

import pytest

ADMIN = "aaduser=kshell-admin@kshell.local"


@pytest.fixture
def dirs(tmp_path):
    storage, outside = tmp_path / "storage", tmp_path / "outside"
    (storage / "acct").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.csv").write_text("42\n")
    return storage, outside


def run(run_kshell, storage, text: str) -> tuple[list[str], str]:
    rc, out, err = run_kshell(f"#storage create acct\n\n#storage grant acct {ADMIN} owner\n\n" + text,
                              "--keep-going", "--format", "csv", "--storage", str(storage))
    assert "Traceback" not in err and "internal error" not in err, err
    return [line for line in err.splitlines() if line.startswith("Error")], out


def test_a_linked_container_cannot_be_read(run_kshell, dirs):
    storage, outside = dirs
    os.symlink(outside, storage / "acct" / "c")
    errs, out = run(run_kshell, storage, """.create table T (a:long)

.ingest into table T ('https://acct.blob.core.windows.net/c/secret.csv;impersonate')

T | count
""")
    assert len(errs) == 1 and "Forbidden" in errs[0] and "leads outside the storage directory" in errs[0]
    assert out.rstrip().endswith("Count\n0")


def test_a_linked_file_cannot_be_read_or_listed(run_kshell, dirs):
    storage, outside = dirs
    (storage / "acct" / "c").mkdir()
    os.symlink(outside / "secret.csv", storage / "acct" / "c" / "f.csv")
    errs, out = run(run_kshell, storage, """.create table T (a:long)

.ingest into table T ('https://acct.blob.core.windows.net/c/f.csv;impersonate')

#storage ls https://acct.blob.core.windows.net/c
""")
    assert len(errs) == 2 and all("leads outside the storage directory" in e for e in errs), errs
    assert "42" not in out


def test_an_export_cannot_write_through_a_link(run_kshell, dirs):
    storage, outside = dirs
    os.symlink(outside, storage / "acct" / "out")
    errs, out = run(run_kshell, storage, """.export to csv (h'https://acct.blob.core.windows.net/out;impersonate') <| print a = 1

.create external table X (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/out;impersonate')

.export to table X <| print a = long(1)
""")
    assert len(errs) == 2 and all("leads outside the storage directory" in e for e in errs), errs
    assert sorted(p.name for p in outside.iterdir()) == ["secret.csv"]


@pytest.mark.parametrize("name", ["..", "../outside", "a/b", "ACCT/.."])
def test_account_names_are_not_paths(run_kshell, dirs, name):
    storage, outside = dirs
    errs, _ = run(run_kshell, storage, f"#storage grant {name} {ADMIN} reader\n")
    assert len(errs) == 1 and "not a valid storage account name" in errs[0], errs


def test_a_failed_export_leaves_no_file(run_kshell, dirs):
    storage, _ = dirs
    # The second connection string cannot be written (its container is a file): the export
    # fails as a whole and the first file, written already, is removed.
    (storage / "acct" / "blocked").write_text("not a folder")
    errs, out = run(run_kshell, storage, """.export to csv (h'https://acct.blob.core.windows.net/ok;impersonate', h'https://acct.blob.core.windows.net/blocked;impersonate') <| range a from 1 to 4 step 1
""")
    assert len(errs) == 1 and "cannot write" in errs[0], errs
    ok = storage / "acct" / "ok"
    assert not ok.exists() or list(ok.iterdir()) == []  # no file, no partial temporary file either


def test_an_export_after_a_crash_does_not_conflict(run_kshell, dirs):
    # The first run writes its file but its state is lost (no state file, as after a crash):
    # the second run derives the same file name, which it must skip rather than fail on.
    storage, _ = dirs
    script = ".export to csv (h'https://acct.blob.core.windows.net/out;impersonate') <| print a = 1\n"
    for _ in range(2):
        errs, out = run(run_kshell, storage, script)
        assert errs == [], errs
    files = sorted(p.name for p in (storage / "acct" / "out").iterdir())
    assert len(files) == 2 and not any(f.startswith(".") for f in files)
