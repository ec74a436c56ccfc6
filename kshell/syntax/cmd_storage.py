"""Command rules of the storage family that are not about external tables or exports.

    .list blobs ( StorageConnectionString [, ...] ) [Suffix=S] [MaxFiles=N] [PathFormat=( ... )]
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.cmd_common import finish
from kshell.syntax.cmd_external_table import PathFormatItem, _path_format
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import NUMBER


class ListBlobs(Command):
    uris: list[str]
    suffix: str = ""
    max_files: int | None = None
    path_format: list[PathFormatItem] | None = field(default=None)


@command_rule
def list_blobs(c: Cursor) -> Command | None:
    if not c.at_words("list", "blobs"):
        return None
    c.i += 2
    c.expect_op("(", "after '.list blobs'")
    node = ListBlobs(uris=[])
    while True:
        node.uris.append(c.string("a storage connection string literal"))
        if c.accept_op(")"):
            break
        c.expect_op(",", "between connection strings")
    seen: set[str] = set()
    while c.at_word("suffix", "maxfiles", "pathformat"):
        word = c.next().text.lower()
        if word in seen:
            raise c.error(f"'{word}' is given twice", c.peek(-1))
        seen.add(word)
        c.expect_op("=", f"after '{word}'")
        if word == "suffix":
            node.suffix = c.string("a suffix string")
        elif word == "maxfiles":
            t = c.next()
            if t.kind != NUMBER or not isinstance(t.value, int) or t.value < 0:
                raise c.error("expected a non-negative integer after 'MaxFiles='", t)
            node.max_files = t.value
        else:
            node.path_format = _path_format(c)
    return finish(c, node)
