"""Command rules for the external_table family (see kshell.syntax.commands)."""

from kshell.syntax.commands import command_rule  # noqa: F401
