"""Run inside a real Prefect venv: does Prefect's own click CLI accept these command lines?

Reads a JSON list of argument lists (without the leading ``prefect``) from the file named by
the first argument (or stdin) and prints a JSON
list of ``[accepted, message, options parsed by the leaf command]``. Each command path is resolved under ``prefect.cli.cli`` and
every level's context is built with ``make_context(..., resilient_parsing=False)``, exactly as
click does before invoking a command: unknown commands and options, missing values and
missing required options are rejected; nothing is executed.
"""

import json
import sys
import warnings

warnings.simplefilter("ignore")

import click  # noqa: E402
from prefect.cli import cli  # noqa: E402


def _rest(ctx):
    protected = getattr(ctx, "_protected_args", None)
    if protected is None:
        protected = ctx.protected_args
    return list(protected) + list(ctx.args)


def _params(ctx):
    """The leaf command's parsed options, as JSON values."""
    return json.loads(json.dumps(ctx.params, default=str))


def check(argv):
    command, name, args, parent = cli, "prefect", list(argv), None
    try:
        while True:
            ctx = command.make_context(name, list(args), parent=parent, resilient_parsing=False)
            if not isinstance(command, click.MultiCommand):
                if ctx.args and not getattr(command, "ignore_unknown_options", False) and not (
                    command.context_settings or {}
                ).get("allow_extra_args"):
                    return [False, f"unexpected extra arguments {ctx.args}", None]
                return [True, " ".join(ctx.command_path.split()), _params(ctx)]
            rest = _rest(ctx)
            if not rest:
                if command.invoke_without_command:
                    return [True, ctx.command_path, _params(ctx)]
                return [False, f"missing command under {ctx.command_path}", None]
            sub_name, sub, rest = command.resolve_command(ctx, rest)
            if sub is None:
                return [False, f"no such command {sub_name!r}", None]
            command, name, args, parent = sub, sub_name, rest, ctx
    except click.exceptions.ClickException as error:
        return [False, f"{type(error).__name__}: {error.format_message()}", None]
    except click.exceptions.Exit as error:
        return [True, f"exit {error.exit_code}", {}]


if __name__ == "__main__":
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    print(json.dumps([check(argv) for argv in json.load(source)]))
