"""The interactive shell (prompt_toolkit).  Imported only in interactive mode."""
