"""`python -m kshell`: runs the command line only when executed as the program.

The guard keeps an import of `kshell.__main__` (by any route) from running it."""

if __name__ == "__main__":
    from kshell.cli import main

    raise SystemExit(main())
