"""The request splitter: is_complete, split_requests, iter_requests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kshell.errors import KustoSyntaxError
from kshell.script import Request, is_complete, iter_requests, open_literal, split_requests
from kshell.syntax.tokens import OP, tokenize


def texts(requests: list[Request]) -> list[str]:
    return [r.text for r in requests]


def lines(requests: list[Request]) -> list[int]:
    return [r.line for r in requests]


# ------------------------------------------------------------ is_complete

@pytest.mark.parametrize(
    "text",
    [
        "print 1",
        "",
        "   ",
        "T | where x == 'a(b'",
        "print x = ```a\n\nb```",
        "print @'multi\nline'",
        "print 'it''s'",  # two adjacent literals
        "print 'unterminated",  # a normal string ends at the line end: the parser reports it
        "print 1 // a comment with ' and ( and ```",
        "print f(1, [2], {3})",
        "#help",
        "#db 'x",
        "print 'a\\'b'",
        "print @'a''b'",
        ".ingest inline into table T <| 1,\"x,(",
        "print ')'",
    ],
)
def test_complete_texts(text):
    assert is_complete(text)


@pytest.mark.parametrize(
    "text",
    [
        "print x = ```abc",
        "print x = ~~~abc\n\n",
        "print @'abc",
        'print @"abc\n',
        "print f(1,",
        "T | where x in (1,\n2",
        "print dynamic({'a': [1,",
        "print @'it''s",
        "print 'a\\\n",  # a backslash escapes the newline: the string goes on
        ".set T <| print (1",
    ],
)
def test_incomplete_texts(text):
    assert not is_complete(text)


def test_open_literal_reports_delimiter_and_line():
    assert open_literal("print 1\n| extend x = ```\nabc") == ("```", 2)
    assert open_literal("print @'a\nb") == ("@'", 1)
    assert open_literal("print 'a'") is None


# --------------------------------------------------------- split_requests

def test_blank_lines_separate_requests_and_lines_are_remembered():
    script = "print 1\n\n\nT\n| take 1\n\n.show version\n"
    reqs = split_requests(script)
    assert texts(reqs) == ["print 1", "T\n| take 1", ".show version"]
    assert lines(reqs) == [1, 4, 7]


def test_dot_and_hash_lines_start_new_requests_after_a_complete_one():
    script = ".create table T (a:int)\n.show tables\n#db\nprint 1\n| take 1\n#help\n"
    reqs = split_requests(script)
    assert texts(reqs) == [".create table T (a:int)", ".show tables", "#db", "print 1\n| take 1", "#help"]
    assert lines(reqs) == [1, 2, 3, 4, 6]


def test_dot_line_inside_open_bracket_continues_the_request():
    script = "print f(1,\n.5)\n.show version\n"
    reqs = split_requests(script)
    assert texts(reqs) == ["print f(1,\n.5)", ".show version"]


def test_blank_line_ends_a_request_even_with_an_open_bracket():
    # brackets are not literals: a typo must not swallow the rest of a script
    reqs = split_requests("print (1\n\nprint 2\n")
    assert texts(reqs) == ["print (1", "print 2"]


def test_backtick_literal_keeps_blank_lines_and_comments():
    script = (
        ".create function F() {\n"
        "  print x = ```first\n"
        "\n"
        "// not a comment: inside the literal\n"
        "#not a directive\n"
        ".not a command\n"
        "last```\n"
        "}\n"
        "\n"
        "print 2\n"
    )
    reqs = split_requests(script)
    assert len(reqs) == 2
    assert "// not a comment: inside the literal" in reqs[0].text
    assert "\n\n" in reqs[0].text
    assert reqs[0].text.endswith("}")
    assert reqs[1] == Request("print 2", 10)


def test_tilde_literal_spans_blank_lines():
    reqs = split_requests("print ~~~a\n\nb~~~\nprint 3\n\nprint 4")
    assert texts(reqs) == ["print ~~~a\n\nb~~~\nprint 3", "print 4"]


@pytest.mark.parametrize("quote", ["'", '"'])
def test_verbatim_quotes_with_hash_and_dot_at_line_starts(quote):
    script = (
        f"print s = @{quote}line one\n"
        "#not a directive\n"
        ".not a command\n"
        "\n"
        f"// not a comment either{quote}\n"
        ".show version\n"
    )
    reqs = split_requests(script)
    assert len(reqs) == 2
    assert reqs[0].text.startswith("print s = @")
    assert "#not a directive\n.not a command\n\n// not a comment either" in reqs[0].text
    assert reqs[1] == Request(".show version", 6)


def test_quotes_and_comments_do_not_confuse_brackets():
    script = "print ')(' // (\n.show version\n"
    assert texts(split_requests(script)) == ["print ')(' // (", ".show version"]


def test_pipe_arrow_followed_by_data_lines():
    script = (
        ".create table T (a:string, b:string)\n"
        ".ingest inline into table T <|\n"
        'x,"unbalanced\n'
        "y,(open\n"
        "z,```\n"
        "\n"
        ".show tables\n"
        ".ingest inline into table T <| 1,[\n"
        "#db\n"
    )
    reqs = split_requests(script)
    assert texts(reqs) == [
        ".create table T (a:string, b:string)",
        '.ingest inline into table T <|\nx,"unbalanced\ny,(open\nz,```',
        ".show tables",
        ".ingest inline into table T <| 1,[",
        "#db",
    ]
    assert lines(reqs) == [1, 2, 7, 8, 9]


def test_comment_with_trailing_spaces_before_pipe_arrow_does_not_hang():
    # a regression guard: the `.ingest inline` head check must not backtrack exponentially
    text = "// c" + " " * 150 + "\nx <| 1 ("
    assert not is_complete(text)
    assert is_complete("// c" + " " * 150 + "\n.ingest inline into table T <| 1 (")


def test_set_pipe_arrow_query_is_still_kusto():
    # after `<|` of .set/.append the query is Kusto text: its literals still count
    script = ".set T <| print x = ```a\n\n.b```\n.show tables\n"
    assert texts(split_requests(script)) == [".set T <| print x = ```a\n\n.b```", ".show tables"]


def test_whole_line_comments_are_dropped_between_requests():
    script = "// header\n// more\n\nprint 1\n// trailing\n\n   // indented\n.show version // tail\n"
    reqs = split_requests(script)
    assert texts(reqs) == ["print 1", ".show version // tail"]
    assert lines(reqs) == [4, 8]


def test_comment_only_script_has_no_requests():
    assert split_requests("// nothing\n\n// here\n") == []


def test_directives_are_one_line_each():
    reqs = split_requests("#format csv\n#timing on\nprint 1\n")
    assert texts(reqs) == ["#format csv", "#timing on", "print 1"]
    assert lines(reqs) == [1, 2, 3]


def test_indented_directive_and_command_lines():
    reqs = split_requests("print 1\n  #db\n  .show version\n")
    # the text keeps its indentation, so that error columns stay right
    assert [t.strip() for t in texts(reqs)] == ["print 1", "#db", ".show version"]


def test_crlf_input():
    script = "print 1\r\n\r\n.show version\r\n.show cluster\r\nprint x = ```a\r\n\r\nb```\r\n"
    reqs = split_requests(script)
    assert texts(reqs) == ["print 1", ".show version", ".show cluster\nprint x = ```a\n\nb```"]
    assert lines(reqs) == [1, 3, 4]
    assert all("\r" not in r.text for r in reqs)


def test_file_without_final_newline():
    assert texts(split_requests("print 1\n\nprint 2")) == ["print 1", "print 2"]
    assert texts(split_requests("#help")) == ["#help"]
    assert texts(split_requests("print ```a\n\nb```")) == ["print ```a\n\nb```"]


def test_only_newline_separates_lines():
    # \u2028 and \x0c inside a literal are not line breaks
    reqs = split_requests("print '\u2028.x\x0c#y'\n#db\n")
    assert texts(reqs) == ["print '\u2028.x\x0c#y'", "#db"]


def test_byte_order_mark_is_ignored():
    assert texts(split_requests("\ufeffprint 1\n")) == ["print 1"]


def test_unterminated_literal_at_end_of_input_names_where_it_opened():
    script = "print 1\n\n#db\nprint x = ```abc\n\nmore\n"
    with pytest.raises(KustoSyntaxError) as info:
        split_requests(script)
    assert info.value.line == 4
    assert "opened at line 4" in info.value.message
    assert "```" in info.value.message


def test_unterminated_verbatim_string_in_a_later_line_of_a_request():
    script = "print 1\n\nT\n| extend s = @'abc\n"
    with pytest.raises(KustoSyntaxError) as info:
        split_requests(script)
    assert info.value.line == 4


def test_streaming_yields_requests_before_the_unterminated_literal():
    got = []
    with pytest.raises(KustoSyntaxError):
        for r in iter_requests(iter(["print 1\n", "\n", "#db\n", "print ```\n", "x\n"])):
            got.append(r.text)
    assert got == ["print 1", "#db"]


def test_streaming_is_lazy():
    """A request is yielded as soon as the line that ends it arrives (no read-ahead to the end)."""
    fed = []

    def source():
        for line in ["print 1\n", "\n", "print 2\n", "\n", "print 3\n"]:
            fed.append(line)
            yield line

    it = iter_requests(source())
    assert next(it).text == "print 1"
    assert len(fed) == 2


# ---------------------------------------------- agreement with the tokenizer

# (~~~ is left out: the tokenizer reads an unterminated ~~~ as three `~` operators,
# while the splitter, like Kusto, treats it as an open multi-line literal.)
_FRAGMENTS = st.sampled_from(
    ["print ", "x", "'", '"', "@'", '@"', "```", "(", ")", "[", "]", "{", "}",
     "//", "\n", " ", "\\", "a'b'", "1", "<|", ",", "#", "."]
)


def _bracket_depth(text: str) -> int:
    depth = 0
    for tok in tokenize(text):
        if tok.kind == OP and tok.text in ("(", "[", "{"):
            depth += 1
        elif tok.kind == OP and tok.text in (")", "]", "}"):
            depth = max(0, depth - 1)
    return depth


@settings(max_examples=400, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=25).map("".join))
def test_is_complete_agrees_with_the_tokenizer(text):
    try:
        depth = _bracket_depth(text)
    except KustoSyntaxError:
        # the tokenizer cannot read it; if a literal is open, it must be because of that literal
        return
    # text the tokenizer reads has no open literal, and its brackets decide completeness
    assert open_literal(text) is None
    assert is_complete(text) == (depth == 0 or text.lstrip().startswith("#"))


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=25).map("".join))
def test_open_multiline_literal_means_the_tokenizer_fails(text):
    if open_literal(text) is not None:
        with pytest.raises(KustoSyntaxError):
            tokenize(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=30).map("".join))
def test_splitter_never_loses_or_invents_text(text):
    try:
        reqs = split_requests(text)
    except KustoSyntaxError as e:
        assert e.line is not None and 1 <= e.line <= text.count("\n") + 1
        return
    src_lines = text.splitlines()
    for r in reqs:
        first = r.text.split("\n")[0]
        assert src_lines[r.line - 1].strip().startswith(first.strip()[:10])


def test_data_block_after_pipe_arrow_runs_to_a_blank_line():
    script = (
        ".ingest inline into table T <|\n"
        "#tag,2\n"
        ".dot,3\n"
        "\n"
        "#db\n"
        ".execute database script with (ContinueOnErrors=true)\n"
        "<|\n"
        "// Create tables\n"
        ".create-merge table A (a:string)\n"
        "#not-a-directive\n"
        ".create-merge table B (b:string)\n"
        "\n"
        ".show tables\n"
        ".ingest inline into table T <| one,1\n"
        ".ingest inline into table T <| two,2\n"
    )
    assert texts(split_requests(script)) == [
        ".ingest inline into table T <|\n#tag,2\n.dot,3",
        "#db",
        ".execute database script with (ContinueOnErrors=true)\n<|\n// Create tables\n"
        ".create-merge table A (a:string)\n#not-a-directive\n.create-merge table B (b:string)",
        ".show tables",
        ".ingest inline into table T <| one,1",
        ".ingest inline into table T <| two,2",
    ]
