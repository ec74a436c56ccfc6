"""Attacks on role evaluation: stale roles, refused `#as`, restricted view access.

Prerequisites are evaluated on *effective* roles (kshell.engine.auth.Access): a role
whose own prerequisite is gone makes nothing else effective.
"""

from __future__ import annotations

import pytest

from kshell.errors import Forbidden

ALICE = "aaduser=alice@x.com"


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("Error")]


def test_revoked_user_cannot_touch_the_function_she_created(run_kshell):
    # alice created a table and a function while Database User; both creator-admin roles
    # remain assigned but lost their prerequisite when her database role was revoked.
    text = f"""
.add database NetDefaultDB users ('{ALICE}')

#as {ALICE}

.create table Mine (a:long)

.create function F() {{ print 1 }}

#as default

.drop database NetDefaultDB users ('{ALICE}')

#as {ALICE}

.create-or-alter function F() {{ print 2 }}

.alter function F docstring 'mine'

.drop function F

.drop table Mine

#as default

F() | count
"""
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv")
    errs = errors(err)
    assert len(errs) == 4 and all("Forbidden" in e for e in errs), errs
    assert "requires Function Admin" in errs[0] and "requires Table Admin" in errs[3]
    assert out.rstrip().endswith("Count\n1")  # F is still there, unchanged


def test_stale_table_admin_does_not_make_a_function_admin_effective(session):
    # A Table Admin assignment without Database User is ineffective, so it satisfies no
    # other role's prerequisite (spec 3.2: Function Admin needs Database User or Table Admin).
    session.execute(".create table T (a:long)")
    session.execute(".create function F() { print 1 }")
    session.execute(f".add table T admins ('{ALICE}')")
    session.execute(f".add function F admins ('{ALICE}')")
    session.principal = ALICE
    with pytest.raises(Forbidden, match="requires Function Admin"):
        session.execute(".drop function F")
    session.principal = "aaduser=kshell-admin@kshell.local"
    session.execute(f".add database NetDefaultDB users ('{ALICE}')")
    session.principal = ALICE
    session.execute(".drop function F")  # now effective


def test_stale_external_table_admin(run_kshell):
    text = f"""
.add database NetDefaultDB users ('{ALICE}')

#as {ALICE}

.create external table X (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/x;impersonate')

#as default

.drop database NetDefaultDB users ('{ALICE}')

#as {ALICE}

.drop external table X
"""
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv")
    [e] = errors(err)
    assert "Forbidden" in e and "External Table Admin" in e


@pytest.mark.parametrize("bad", ["bob", "aaduser=carol@x.com extra", "aadappID=1", "aaduser="])
def test_refused_as_leaves_no_privileged_principal_acting(run_kshell, bad):
    text = f"""
.create table T (a:long)

#as {bad}

.drop table T

.show tables | count
"""
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv")
    errs = errors(err)
    assert len(errs) == 3, errs
    assert "refused-as@kshell.local, which holds no role" in errs[0]
    assert all("Forbidden" in e and "refused-as@kshell.local" in e for e in errs[1:])


def test_restricted_view_access_needs_unrestricted_viewer(session):
    # The read check hides a table with restricted view access from everyone without
    # UnrestrictedViewer (admins included: spec 3.2, Database Admin lacks it).
    from kshell.engine.permissions import table_has_restricted_view_access

    session.execute(".set T <| print a=long(1)")
    table = session.database.tables["T"]
    table.policies["restricted_view_access"] = {"IsEnabled": True}
    assert table_has_restricted_view_access(table)
    with pytest.raises(Forbidden, match="UnrestrictedViewer"):
        session.execute("T | count")
    with pytest.raises(Forbidden, match="UnrestrictedViewer"):
        session.execute("print n = toscalar(union isfuzzy=false T | count)")
    session.execute(f".add database NetDefaultDB viewers ('{ALICE}')")
    session.execute(f".add database NetDefaultDB unrestrictedviewers ('{ALICE}')")
    session.principal = ALICE
    assert session.execute("T | count")[0].rows == [[1]]
    # UnrestrictedViewer alone (its prerequisite gone) is not effective
    session.principal = "aaduser=kshell-admin@kshell.local"
    session.execute(f".drop database NetDefaultDB viewers ('{ALICE}')")
    session.principal = ALICE
    with pytest.raises(Forbidden):
        session.execute("T | count")
