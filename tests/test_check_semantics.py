"""`kshell --check`'s semantic pass (issue 16): function and plugin names and argument
counts decided by the language catalog, end to end through the real `kshell --check`."""

from __future__ import annotations

import json

import pytest

from conftest import run_kshell

SCRIPT = """let addOne = (x: long) { x + 1 };
print a = addOne(1), b = myUndefinedFn(2), c = substring("abc")

print geo_info_from_ip_address("1.1.1.1")

print n = 1 | evaluate sql_request('Server=x', 'select 1')

.create function Stored(n: long) { print strrep("x", n) }

print Stored(2), strlen("x"), count_ = strcat("a", "b")
"""


def test_names_and_argument_counts_are_checked_against_the_catalog(tmp_path):
    path = tmp_path / "semantic.kql"
    path.write_text(SCRIPT, encoding="utf-8")
    code, out, err = run_kshell("", "--check", str(path))
    assert out.splitlines() == [
        # the user's own name, unresolved: the engine's wording
        f"{path}:2:26: SemanticError: Failed to resolve scalar expression named 'myUndefinedFn'",
        # the catalog signature substring(source, startingIndex [, length])
        f"{path}:2:48: SemanticError: function 'substring' expects 2 to 3 argument(s), got 1",
        # documented but not simulated: NotSupported, with the catalog's reason
        f"{path}:4:7: NotSupported: 'geo_info_from_ip_address' is not simulated by kshell "
        "(needs a geolocation database kshell does not ship)",
        f"{path}:6:15: NotSupported: 'sql_request' is not simulated by kshell "
        "(calls a service outside the cluster, which the simulation does not have)",
        "5 requests, 0 syntax errors, 2 semantic errors, 2 not simulated",
    ]
    assert code == 1 and err == ""


def test_not_simulated_alone_does_not_fail_the_check():
    code, out, err = run_kshell("print geo_info_from_ip_address('1.1.1.1')\n", "--check")
    assert out.splitlines()[-1] == "1 request, 0 syntax errors, 1 not simulated"
    assert code == 0


def test_names_defined_earlier_in_the_script_resolve():
    script = (".create-or-alter function F1() { print 1 }\n\nF1()\n\n"
              "declare pattern app = (name:string)[(\"a\")] { print 1 };\napp(\"a\")\n\n"
              "let g = (t:(x:long)) { t | extend y = x }; range x from 1 to 2 step 1 | invoke g()\n")
    code, out, err = run_kshell(script, "--check")
    assert out.splitlines() == ["4 requests, 0 syntax errors"], out
    assert code == 0


def test_a_signature_the_catalog_leaves_ambiguous_is_not_counted():
    # geo_point_buffer(longitude, latitude, radius, tolerance): the catalog does not mark
    # tolerance optional; the engine takes 3 or 4, so the count is not checked
    code, out, err = run_kshell("print geo_point_buffer(-73.9, 40.7, 10)\n", "--check")
    assert out.splitlines() == ["1 request, 0 syntax errors"] and code == 0


from docs_outputs_support import CORPUS  # noqa: E402  (../shared beside the checkout)


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the checkout")
def test_documented_examples_have_no_semantic_errors(tmp_path):
    # every self-contained documented example calls documented names with documented
    # argument counts: the pass must not report any of them as an error
    queries = [json.loads(line)["query"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "examples.kql"
    path.write_text("\n\n".join(q.strip() for q in queries) + "\n", encoding="utf-8")
    code, out, err = run_kshell("", "--check", str(path))
    errors = [line for line in out.splitlines() if "SemanticError" in line]
    assert errors == []
