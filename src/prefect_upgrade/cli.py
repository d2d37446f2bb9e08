"""The ``prefect-upgrade`` command (the entry point).

The options, help and usage errors are typer's (``cli_app``). Typer costs ~0.25 s of start-up
(importing it, and coercing every option through pydantic), more than a whole run over a few
files without Prefect code. So the plain command lines that pre-commit and most people type
(paths, and only the flags in ``_FLAGS``) are run here without typer, with the very ``Request``
typer would build; any other command line (``--help``, ``--select``, ``-``, a usage error …)
goes to typer unchanged. ``app`` and the other names of ``cli_app`` are importable from here.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Optional, Sequence

#: Flags run without typer: flag -> (Request field, value). Each at most once.
_FLAGS = {
    "--write": ("write", True),
    "-w": ("write", True),
    "--check": ("check", True),
    "--force-exclude": ("force_exclude", True),
    "--color": ("color", True),
    "--no-color": ("color", False),
    "--unsafe-fixes": ("unsafe_fixes", True),
    "--no-unsafe-fixes": ("unsafe_fixes", False),
}


def __getattr__(name: str):
    # ``from prefect_upgrade.cli import app`` (tests, embedding) still works: typer only then.
    if name.startswith("__"):  # ``__path__``, ``__file__`` … asked by the import system
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from prefect_upgrade import cli_app

    try:
        return getattr(cli_app, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def _plain_request(args: Sequence[str]):
    """The ``Request`` typer would build for ``args``, or None when typer must read them."""
    if os.name == "nt" or "_PREFECT_UPGRADE_COMPLETE" in os.environ:
        return None  # typer expands Windows wildcards; shell completion is typer's
    values: dict = {}
    paths: list[str] = []
    for arg in args:
        if arg in _FLAGS:
            name, value = _FLAGS[arg]
            if name in values:
                return None
            values[name] = value
        elif arg and not arg.startswith("-"):
            paths.append(arg)
        else:
            return None  # an option typer knows (or not), '-', '--', an empty argument
    if not paths or (values.get("write") and values.get("check")):
        return None  # typer reports the usage error
    from pathlib import Path

    from prefect_upgrade.driver import Request

    return Request(paths=[Path(p) for p in paths], **values)


class _Pacified:
    """A stream whose flush ignores a closed pipe (as click does after EPIPE)."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _run_plain(request) -> None:
    from prefect_upgrade.driver import run

    # What typer's standalone mode does around a command, for the same outcomes.
    try:
        status = run(request)
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        sys.stdout = _Pacified(sys.stdout)
        sys.stderr = _Pacified(sys.stderr)
        sys.exit(1)
    sys.exit(status)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    request = _plain_request(args)
    if request is None:
        from prefect_upgrade.cli_app import app

        app(args=args, prog_name="prefect-upgrade")
    else:
        _run_plain(request)


if __name__ == "__main__":  # pragma: no cover
    main()
