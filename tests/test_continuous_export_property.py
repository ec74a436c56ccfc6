"""Exactly-once as a property (spec 5.4): whatever the interleaving of ingestions,
clock moves, `#export run`, broken and repaired links, the listed artifacts never
hold a row twice nor a row ingested before the export existed, and once every link
is repaired and the clock moves past forcedLatency and one interval, they hold
every row ingested since the creation."""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kshell.engine.session import Session
from kshell.script import split_requests
from test_continuous_export import CREATE, OBJECT_ID, SEED, Shell
from conftest import FIXED_NOW

BREAKS = {
    "storage": ("#storage revoke acct myid contributor", "#storage grant acct myid contributor"),
    "viewer": (f".drop database DB users ('aadapp={OBJECT_ID}')", f".add database DB users ('aadapp={OBJECT_ID}')"),
    "identity": ("#identity unassign myid", "#identity assign myid"),
}

steps = st.lists(st.one_of(
    st.tuples(st.just("ingest"), st.integers(1, 3)),
    st.tuples(st.just("advance"), st.sampled_from(["1m", "10m", "30m", "1h", "3h"])),
    st.tuples(st.just("run"), st.just(0)),
    st.tuples(st.just("break"), st.sampled_from(sorted(BREAKS))),
    st.tuples(st.just("repair"), st.sampled_from(sorted(BREAKS))),
    st.tuples(st.just("disable"), st.booleans()),
), min_size=1, max_size=25)


def _shell(latency: str, storage_dir: str) -> Shell:
    sh = Shell(Session(now=FIXED_NOW), storage_dir)
    for request in split_requests(SEED):
        text = request.text
        if "{TENANT}" in text:
            text = text.replace("{TENANT}", str(sh.run("#identity")[0].as_dicts()[-1]["TenantId"]))
        sh.run(text)
    sh.run(CREATE.replace("intervalBetweenRuns=1h", f"intervalBetweenRuns=20m, forcedLatency={latency}"))
    return sh


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps, latency=st.sampled_from(["0m", "15m"]))
def test_listed_artifacts_hold_each_row_exactly_once(steps, latency):
    with tempfile.TemporaryDirectory(prefix="kshell-ce-test-") as storage_dir:
        _check(steps, _shell(latency, storage_dir))


def _check(steps, sh: Shell) -> None:
    expected = sh.ingest(1)
    broken: set[str] = set()
    for action, arg in steps:
        if action == "ingest":
            expected += sh.ingest(arg)
        elif action == "advance":
            sh.run(f"#time advance {arg}")
        elif action == "run":
            if not sh.export()["IsDisabled"]:
                sh.run("#export run MyExport")
        elif action == "break" and arg not in broken:
            sh.run(BREAKS[arg][0])
            broken.add(arg)
        elif action == "repair" and arg in broken:
            sh.run(BREAKS[arg][1])
            broken.discard(arg)
        elif action == "disable":
            sh.run(f".{'disable' if arg else 'enable'} continuous-export MyExport")
        exported = sh.exported_values()
        assert len(exported) == len(set(exported))
        assert set(exported) <= set(expected)
    for name in sorted(broken):
        sh.run(BREAKS[name][1])
    sh.run(".enable continuous-export MyExport")
    sh.run("#time advance 1h")
    assert sorted(sh.exported_values()) == sorted(expected)
    assert {a["Path"] for a in sh.artifacts()} <= sh.files_on_disk()
