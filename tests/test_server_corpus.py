"""Kusto blocks of the ADX docs sent to `kshell serve`: every request gets a JSON reply
(a result or an error body), never a 500 or a broken body.

A sample of the corpus (every 10th block, to keep the suite fast) is split into
requests as a script is; each is posted to the endpoint an SDK would use (`/v1/rest/mgmt`
for commands, `/v2/rest/query` otherwise).  This exercises the encoding of whatever
values the engine returns and the error mapping of whatever errors it raises.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from kshell.script import split_requests
from server_support import KshellServer

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "docs-kusto-blocks.jsonl"
SAMPLE_EVERY = 10
HEAVY_BLOCKS = {"e26e84cf01"}  # millions of generated rows: minutes in a pure-Python engine


def _requests() -> list[tuple[str, str]]:
    out = []
    with CORPUS.open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % SAMPLE_EVERY:
                continue
            block = json.loads(line)
            if block["id"] in HEAVY_BLOCKS:
                continue
            try:
                requests = split_requests(block["text"])
            except Exception:  # noqa: BLE001 - an unterminated literal: the splitter's, not the server's
                continue
            out += [(block["id"], r.text) for r in requests if not r.is_directive]
    return out


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus (../shared beside the checkout) is absent")
def test_corpus_sample_gets_json_replies_never_a_500():
    server = KshellServer()
    statuses: dict[int, int] = {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        for block_id, text in _requests():
            path = "/v1/rest/mgmt" if text.lstrip().startswith(".") else "/v2/rest/query"
            conn.request("POST", path, body=json.dumps({"db": "NetDefaultDB", "csl": text}).encode(),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            assert resp.status != 500, (block_id, text[:200], data[:500])
            body = json.loads(data)
            if resp.status == 200:
                assert isinstance(body, list if path.startswith("/v2") else dict), (block_id, text[:200])
            else:
                assert body["error"]["@message"], (block_id, text[:200])
    finally:
        server.close()
    assert statuses.get(200, 0) > 30, statuses
