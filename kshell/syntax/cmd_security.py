"""Command rules for the security family (see kshell.syntax.commands)."""

from kshell.syntax.commands import command_rule  # noqa: F401
