"""A served state file holds what the clients did, across restarts and kills."""

from __future__ import annotations

import io
import signal

import pytest

pytest.importorskip("azure.kusto.ingest")

from azure.kusto.data.data_format import DataFormat  # noqa: E402
from azure.kusto.ingest import IngestionProperties  # noqa: E402

from server_support import KshellServer, run_cli  # noqa: E402


def rows(client, db: str, query: str) -> list[list]:
    return [r.to_list() for r in client.execute(db, query).primary_results[0]]


def test_state_file_holds_what_clients_did_after_restart(tmp_path):
    state = tmp_path / "served.kshell"
    server = KshellServer(state_file=str(state))
    try:
        admin = server.client()
        admin.execute_mgmt("NetDefaultDB", ".create database Shop")
        admin.execute_mgmt("Shop", ".create table Orders (Id:long, Item:string)")
        admin.execute_mgmt("Shop", ".alter table Orders policy streamingingestion enable")
        admin.execute_mgmt("Shop", ".ingest inline into table Orders <|\n1,apple\n2,pear")
        admin.execute_mgmt("Shop", ".add database Shop viewers ('aaduser=ann@contoso.com')")
        ingest = server.ingest_client()
        ingest.ingest_from_stream(io.BytesIO(b"3,plum\n"),
                                  IngestionProperties(database="Shop", table="Orders", data_format=DataFormat.CSV))
    finally:
        assert server.stop() == 0
        server.close()

    again = KshellServer(state_file=str(state))
    try:
        admin = again.client()
        assert rows(admin, "Shop", "Orders | order by Id asc") == [[1, "apple"], [2, "pear"], [3, "plum"]]
        ann = again.client("aaduser=ann@contoso.com")
        assert rows(ann, "Shop", "Orders | count") == [[3]]
    finally:
        again.close()
    # and the shell opens the same file
    code, out, err = run_cli(str(state), "--format", "csv", "-e", "#db Shop", "-e", "Orders | count")
    assert code == 0 and out.strip().splitlines()[-1] == "3", err


def test_each_answered_request_is_durable_even_if_the_server_is_killed(tmp_path):
    state = tmp_path / "killed.kshell"
    server = KshellServer(state_file=str(state))
    try:
        admin = server.client()
        admin.execute_mgmt("NetDefaultDB", ".create table Log (Line:string)")
        admin.execute_mgmt("NetDefaultDB", ".ingest inline into table Log <|\nfirst")
        server.proc.send_signal(signal.SIGKILL)  # no clean shutdown
        server.proc.wait(30)
    finally:
        server.close()
    again = KshellServer(state_file=str(state))
    try:
        assert rows(again.client(), "NetDefaultDB", "Log") == [["first"]]
    finally:
        again.close()


def test_stops_cleanly_on_sigterm_and_logs_it(tmp_path):
    server = KshellServer(state_file=str(tmp_path / "s.kshell"))
    try:
        assert server.stop() == 0
        assert "kshell serve: stopped" in server.log()
    finally:
        server.close()
