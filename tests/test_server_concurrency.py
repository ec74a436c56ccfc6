"""Many clients at once: every request all-or-nothing, principals never shared,
`ping` answered while a long query runs, a vanished client leaves no partial state."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("azure.kusto.data")

from server_support import KshellServer, token, wait_until  # noqa: E402

DB = "NetDefaultDB"


@pytest.fixture(scope="module")
def server():
    s = KshellServer()
    admin = s.client()
    admin.execute_mgmt(DB, ".create table Counter (Worker:long, Seq:long)")
    admin.execute_mgmt(DB, ".create table Sales (Id:long, Seller:string)")
    admin.execute_mgmt(DB, ".ingest inline into table Sales <|\n1,alice@contoso.com\n2,bob@contoso.com\n"
                           "3,alice@contoso.com")
    admin.execute_mgmt(DB, f".add database {DB} viewers ('aaduser=alice@contoso.com', 'aaduser=bob@contoso.com')")
    admin.execute_mgmt(DB, '.alter table Sales policy row_level_security enable '
                           '"Sales | where Seller == tostring(current_principal_details().UserPrincipalName)"')
    yield s
    s.close()


def count(client, query: str) -> int:
    return client.execute(DB, query).primary_results[0].rows[0][0]


def test_concurrent_writers_lose_nothing(server):
    workers, per_worker = 6, 8

    def work(w: int) -> int:
        client = server.client()
        for seq in range(per_worker):
            if seq % 2:
                client.execute_mgmt(DB, f".ingest inline into table Counter <|\n{w},{seq}")
            else:
                client.execute_mgmt(DB, f".set-or-append Counter <| print Worker={w}, Seq={seq}")
            count(client, f"Counter | where Worker == {w} | count")
        return w

    with ThreadPoolExecutor(workers) as pool:
        assert sorted(pool.map(work, range(workers))) == list(range(workers))
    admin = server.client()
    assert count(admin, "Counter | count") == workers * per_worker
    assert count(admin, "Counter | summarize n = dcount(strcat(Worker, '/', Seq)) | project n") == workers * per_worker


def test_principals_do_not_leak_between_concurrent_requests(server):
    def as_user(name: str, expected: int) -> list[int]:
        client = server.client(token(f"aaduser={name}@contoso.com"))
        return [count(client, "Sales | count") for _ in range(10)]

    def as_admin() -> list[str]:
        client = server.client()
        return [client.execute(DB, "print current_principal_details().UserPrincipalName")
                .primary_results[0].rows[0][0] for _ in range(10)]

    with ThreadPoolExecutor(3) as pool:
        alice = pool.submit(as_user, "alice", 2)
        bob = pool.submit(as_user, "bob", 1)
        admin = pool.submit(as_admin)
        assert alice.result() == [2] * 10
        assert bob.result() == [1] * 10
        assert admin.result() == ["kshell-admin@kshell.local"] * 10


def test_ping_is_answered_while_a_long_query_runs(server):
    import http.client

    done = threading.Event()
    result = {}

    def long_query():
        client = server.client()
        result["n"] = count(client, "range x from 1 to 1500000 step 1 "
                                    "| extend s = strcat('k', tostring(x)) | summarize dcount(s)")
        done.set()

    t = threading.Thread(target=long_query)
    t.start()
    time.sleep(0.5)  # let the query reach the engine
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", "/v1/rest/ping")
    status = conn.getresponse().status
    conn.close()
    answered_during_query = not done.is_set()
    t.join(120)
    assert status == 200
    assert answered_during_query, "the query finished before ping was answered: make it longer"
    assert result["n"] == 1500000


def test_a_client_that_disconnects_mid_request_leaves_no_partial_state(server):
    admin = server.client()
    admin.execute_mgmt(DB, ".create table Big (x:long)")
    body = json.dumps({"db": DB, "csl": ".set-or-append Big <| range x from 1 to 200000 step 1"}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(b"POST /v1/rest/mgmt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body)
    # gone before the reply; the request still runs as a whole
    seen = []

    def landed() -> bool:
        n = count(admin, "Big | count")
        seen.append(n)
        return n == 200000

    assert wait_until(landed, timeout=60)
    assert set(seen) <= {0, 200000}
    assert count(admin, "print 1") == 1  # still serving
