"""The ``prefect-upgrade`` command's typer app: options and ``[tool.prefect-upgrade]`` → settings → a run.

``cli.main`` (the entry point) runs the plain command lines pre-commit uses without typer, with
the very same ``Request`` (see ``cli._plain_request``); everything else comes here.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from prefect_upgrade import __version__

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class FromVersion(str, Enum):
    v013 = "0.13"
    v014 = "0.14"
    v015 = "0.15"
    auto = "auto"


def _split_codes(values: Optional[List[str]]) -> list[str]:
    codes: list[str] = []
    for value in values or []:
        codes.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return codes


def _list_codemods(value: bool) -> None:
    if not value:
        return
    from prefect_upgrade.codemods import all_codemods

    for codemod in all_codemods():
        for code, summary in codemod.codes().items():
            marker = "" if code == codemod.code else "  "
            typer.echo(f"{marker}{code}  [{codemod.class_of_code(code).value}]  {summary}")
    raise typer.Exit(0)


def _explain(code: Optional[str]) -> Optional[str]:
    if code is None:
        return code
    from prefect_upgrade.codemods import owner_of

    owner = owner_of(code.strip().upper())
    if owner is None:
        typer.echo(f"prefect-upgrade: unknown code {code!r} (see --list-codemods)", err=True)
        raise typer.Exit(2)
    code = code.strip().upper()
    summary = owner.codes()[code]
    header = f"{code}: {summary}"
    if code != owner.code:
        header += f"\n(reported by {owner.code}: {owner.summary})"
    typer.echo(f"{header}\nfix class: {owner.class_of_code(code).value}\n\n{owner.explain()}")
    raise typer.Exit(0)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prefect-upgrade {__version__}")
        raise typer.Exit(0)


def _usage_error(message: str) -> None:
    typer.echo(f"prefect-upgrade: error: {message}", err=True)
    raise typer.Exit(2)


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def main_command(
    paths: List[str] = typer.Argument(None, metavar="PATH", help="Files or folders to upgrade; '-' reads standard input."),
    write: bool = typer.Option(False, "--write", "-w", help="Rewrite files in place (atomically)."),
    check: bool = typer.Option(False, "--check", help="Only list the files that would change (for CI)."),
    interactive: bool = typer.Option(
        False, "--interactive", "-i", help="Review each codemod's change to each file and accept or refuse it."
    ),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="CODES", help="Comma-separated codes or prefixes to apply."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="CODES", help="Comma-separated codes or prefixes to skip."),
    unsafe_fixes: Optional[bool] = typer.Option(
        None, "--unsafe-fixes/--no-unsafe-fixes", help="Also apply fixes that may change behaviour."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="How findings are printed."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, metavar="N", help="Worker processes (default: all cores)."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB", help="Glob of paths to skip (repeatable)."),
    stdin_filename: Optional[str] = typer.Option(
        None, "--stdin-filename", metavar="NAME", help="With '-': the file name that decides the file type."
    ),
    report: Optional[Path] = typer.Option(
        None, "--report", metavar="PATH", help="Also write a Markdown checklist of every finding left to a person."
    ),
    from_version: Optional[FromVersion] = typer.Option(
        None, "--from-version", help="The Prefect the code was written for (auto: read the pins)."
    ),
    color: Optional[bool] = typer.Option(
        None, "--color/--no-color", help="Colour the output (default: on a terminal, unless NO_COLOR is set)."
    ),
    force_exclude: bool = typer.Option(
        False, "--force-exclude", help="Apply exclude patterns to files named on the command line too (for pre-commit)."
    ),
    list_codemods: bool = typer.Option(
        False, "--list-codemods", is_eager=True, callback=_list_codemods, help="List every code and exit."
    ),
    explain: Optional[str] = typer.Option(
        None, "--explain", is_eager=True, callback=_explain, metavar="CODE", help="Explain one code and exit."
    ),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_version, help="Show the version."),
) -> None:
    """Upgrade code written for Prefect 0.13-0.15 so that it runs on Prefect 1.x.

    Without --write, prints a diff of every change and touches nothing.
    Exit status: 0 nothing to do, 1 changes made or needed or findings left, 2 error.
    """
    from prefect_upgrade.driver import Request, run

    if not paths:
        _usage_error("no paths given (try --help)")
    if sum([write, check, interactive]) > 1:
        _usage_error("--write, --check and --interactive exclude each other")
    if "-" in paths and len(paths) > 1:
        _usage_error("'-' (standard input) cannot be mixed with other paths")
    if stdin_filename and paths != ["-"]:
        _usage_error("--stdin-filename goes with '-'")
    if interactive and "-" in paths:
        _usage_error("--interactive cannot review standard input")
    if interactive and output_format is OutputFormat.json:
        _usage_error("--interactive talks on standard output; it cannot be combined with --format json")
    request = Request(
        paths=[Path(p) if p != "-" else Path("-") for p in paths],
        write=write,
        check=check,
        interactive=interactive,
        select=_split_codes(select),
        ignore=_split_codes(ignore),
        unsafe_fixes=unsafe_fixes,
        output_format=output_format.value,
        jobs=jobs,
        exclude=list(exclude or []),
        stdin_filename=stdin_filename,
        report=report,
        from_version=from_version.value if from_version else None,
        color=color,
        force_exclude=force_exclude,
    )
    raise typer.Exit(run(request))
