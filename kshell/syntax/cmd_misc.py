"""Command rules for the misc family (see kshell.syntax.commands)."""

from kshell.syntax.commands import command_rule  # noqa: F401
