"""Command rules for the function family (see kshell.syntax.commands)."""

from kshell.syntax.commands import command_rule  # noqa: F401
