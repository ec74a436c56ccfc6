"""Command rules for the continuous_export family (see kshell.syntax.commands)."""

from kshell.syntax.commands import command_rule  # noqa: F401
