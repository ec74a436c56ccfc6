"""Script mode places errors that carry a position at the offending token of the script
file: `Error (line N, column C): ...` (issue 17); others keep `Error (line N): ...`."""

from __future__ import annotations

from conftest import run_kshell


def _position_of(script: str, token: str, nth_line: int) -> tuple[int, int]:
    """1-based (line, column) of `token` on the script's line `nth_line`, found in the text
    itself so the test checks the column against the file, not against a copied number."""
    line = script.split("\n")[nth_line - 1]
    assert token in line
    return nth_line, line.index(token) + 1


def test_a_syntax_error_on_the_third_line_of_a_query_points_at_its_token():
    script = ("print a = 1\n"
              "\n"
              "print b = 2\n"          # the request starts on line 3
              "| extend c = b * 2\n"
              "| where   c > ) \n"     # line 5: the stray `)` is the offending token
              "\n"
              "print never = 1\n")
    code, out, err = run_kshell(script, "--format", "csv")
    line, column = _position_of(script, ")", 5)
    assert code == 1 and out.splitlines() == ["a", "1"]
    first = err.splitlines()[0]
    assert first == f"Error (line {line}, column {column}): SyntaxError: expected an expression, found ')'", err
    assert (line, column) == (5, 15)
    assert err.splitlines()[1:] == ["(1 more request not run)"]


def test_a_semantic_error_on_the_third_line_of_a_query_points_at_the_unknown_name():
    script = (".create table T (a: long)\n"
              "\n"
              "T\n"
              "| extend b = a + 1\n"
              "|  summarize n = count() by  nosuch\n")  # line 5: `nosuch` is not a column
    code, out, err = run_kshell(script, "--format", "csv")
    line, column = _position_of(script, "nosuch", 5)
    assert code == 1
    assert err == (f"Error (line {line}, column {column}): SemanticError: "
                   "Failed to resolve scalar expression named 'nosuch'\n"), err


def test_errors_without_a_position_keep_the_request_line_only():
    # an unknown database in a directive has no place in the text: the request's line only
    code, _, err = run_kshell("print 1\n\n#db Missing\n")
    assert code == 1
    assert err == "Error (line 3): EntityNotFound: Database 'Missing' was not found\n"
