"""The output formats, in a module of their own: the command line needs their
names before anything is rendered, and kshell.render imports csv, json,
decimal and uuid, which the interactive shell need not load before its first
prompt."""

FORMATS = ("table", "csv", "tsv", "json", "markdown", "vertical")
