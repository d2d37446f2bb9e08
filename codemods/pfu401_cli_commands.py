"""Prefect 0.13–0.15 ``prefect`` command lines -> Prefect 1.0 (PFU401–PFU405).

Each family is its own codemod so that it can be selected, ignored and reviewed on its own;
they share the transform in ``prefect_cli`` (also used by PFU420 for Python ``subprocess`` calls).
They receive shell text: a whole script, or a fragment that another kind's rewriter found (a
YAML ``run:`` block, a Dockerfile ``RUN``, a Makefile recipe, a Markdown fence ...), and change
nothing but the words of the commands they rewrite.
"""

from __future__ import annotations

from typing import ClassVar

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods.base import CodemodOptions, Example, TextCodemod
from prefect_upgrade.codemods.prefect_cli import AGENT, AUTH, EXECUTE, REGISTER, RUN, rewrite_shell
from prefect_upgrade.findings import FixClass

SHELL = "shell"
UNSAFE = CodemodOptions(unsafe_fixes=True)


class _CommandCodemod(TextCodemod):
    file_kinds = frozenset({SHELL})
    markers: ClassVar = ("prefect",)

    def rewrite_text(self, text: str, kind: str) -> str:
        new_text, findings = rewrite_shell(text, self.options, (self.code,))
        for f in findings:
            self.report(f.line, f.col, f.message, applied=f.applied, fix_class=f.fix_class, code=f.code)
        return new_text


@register
class RegisterFlowCommand(_CommandCodemod):
    """``prefect register flow`` was removed in 1.0: use ``prefect register``.

    ``--file/-f F`` becomes ``--path F`` (never ``-f``, which is ``--force`` now), ``-p P``
    becomes ``--project P`` (``-p`` is ``--path`` now), ``--name``/``--label`` stay.

    Skipping unchanged flows is the 1.0 default. Decision: when the old command did not pass
    ``--skip-if-flow-metadata-unchanged`` it re-registered (a new version) on every run, so
    ``--force`` is added to keep exactly that behaviour, and the finding says to remove it to
    get the new default. When it did pass the flag, the flag is dropped and nothing is added.
    1.0 requires ``--project``: a command without one is rewritten and reported (manual).
    Prefect's own upgrade guide writes ``prefect register flows ...``, which 1.0 rejects; this
    codemod never produces it, and rewrites it to ``prefect register ...`` where it finds it.

    Before::

        prefect register flow --file flows/etl.py -p ETL --skip-if-flow-metadata-unchanged

    After::

        prefect register --path flows/etl.py --project ETL
    """

    code = REGISTER
    summary = "`prefect register flow` -> `prefect register` (--file is --path, -p is --project)"
    fix_class = FixClass.SAFE
    examples = (
        Example("prefect register --project ETL --path flows/\n", kind=SHELL),
        Example("echo 'run prefect register flow to register'\n", kind=SHELL),
        Example(
            "prefect register flow --file flows/etl.py -p ETL --skip-if-flow-metadata-unchanged\n",
            "prefect register --path flows/etl.py --project ETL\n",
            kind=SHELL,
        ),
        Example(
            'prefect register flow -f "$FLOW" --project "${PROJECT}" && echo done\n',
            'prefect register --path "$FLOW" --project "${PROJECT}" --force && echo done\n',
            kind=SHELL,
        ),
    )


@register
class RunFlowCommand(_CommandCodemod):
    """``prefect run flow`` (0.14/0.15) and ``prefect run cloud|server`` (0.13) -> ``prefect run``.

    ``--version-group-id`` -> ``--id``; ``-p`` -> ``--project``; ``--parameters-file/-pf`` ->
    ``--param-file``; ``--run-name/-rn`` -> ``--run-name``; ``--watch/-w`` -> ``--watch
    --no-logs``; ``--logs/-l`` -> ``--watch``. ``--parameters-string/-ps '{"a": 1}'`` becomes one
    ``--param a=1`` per key (and ``--context`` likewise) only when the JSON is a static object and
    no key or value holds ``=`` (Prefect 1.0.0–1.2.0 split ``key=value`` on every ``=``);
    otherwise it is reported (manual). ``--version/-v`` has no equivalent (manual, left in place
    so the command fails loudly rather than run another version). ``--no-url`` -> ``--quiet`` is
    unsafe: the printed output differs.

    Before::

        prefect run flow --name etl -p ETL -ps '{"day": "2021-01-01", "n": 3}' --watch

    After::

        prefect run --name etl --project ETL --param day=2021-01-01 --param n=3 --watch --no-logs
    """

    code = RUN
    summary = "`prefect run flow` / `run cloud` / `run server` -> `prefect run` with 1.0 options"
    fix_class = FixClass.SAFE
    examples = (
        Example("prefect run --name etl --project ETL --watch\n", kind=SHELL),
        Example("prefect server start\n", kind=SHELL),
        Example(
            "prefect run flow --name etl -p ETL -ps '{\"day\": \"2021-01-01\", \"n\": 3}' --watch\n",
            "prefect run --name etl --project ETL --param day=2021-01-01 --param n=3 --watch --no-logs\n",
            kind=SHELL,
        ),
        Example(
            "prefect run cloud -n etl -p ETL -pf params.json -rn nightly --logs\n",
            "prefect run -n etl --project ETL --param-file params.json --run-name nightly --watch\n",
            kind=SHELL,
        ),
    )


@register
class AuthTokenCommands(_CommandCodemod):
    """``prefect auth`` token commands were removed in 1.0: API keys replace tokens.

    ``list-tokens`` -> ``list-keys`` (safe; the columns differ). ``login --token/-t T`` needs a
    new API key: with ``--unsafe-fixes`` the option is renamed to ``--key`` (the value must then
    be replaced by a key). ``create-token`` and ``revoke-token`` are reported (manual).

    Before::

        prefect auth login --token "$PREFECT_TOKEN"

    After (with --unsafe-fixes)::

        prefect auth login --key "$PREFECT_TOKEN"
    """

    code = AUTH
    summary = "`prefect auth` token commands -> API key commands (list-keys, login --key)"
    fix_class = FixClass.UNSAFE
    examples = (
        Example('prefect auth login --key "$PREFECT_API_KEY"\n', kind=SHELL),
        Example('prefect auth login --token "$PREFECT_TOKEN"\n', kind=SHELL),  # unsafe: reported only
        Example("prefect auth list-tokens\n", "prefect auth list-keys\n", kind=SHELL),
        Example(
            'prefect auth login -t "$PREFECT_TOKEN"\n',
            'prefect auth login --key "$PREFECT_TOKEN"\n',
            kind=SHELL,
            options=UNSAFE,
        ),
    )


@register
class AgentCommands(_CommandCodemod):
    """``prefect agent`` command lines that Prefect 1.0 rejects.

    ``--no-docker-interface`` is dropped (no effect since 0.14.18). The hidden 0.13/0.14
    ``prefect agent start [TYPE]`` / ``prefect agent install TYPE`` become ``prefect agent TYPE
    start|install`` (``--verbose/-v`` -> ``--log-level DEBUG``; ``--storage-labels``,
    ``--no-docker-interface``, ``--resource-manager`` and options the agent type never used are
    dropped and reported). ``--token/-t`` needs a new API key: with ``--unsafe-fixes`` it is
    renamed to ``--key``. ``prefect agent fargate`` has no replacement but the ECS agent (manual).

    Before::

        prefect agent start docker --no-docker-interface -v -l prod

    After::

        prefect agent docker start --log-level DEBUG -l prod
    """

    code = AGENT
    summary = "`prefect agent` command lines: --token, --no-docker-interface, fargate, `agent start TYPE`"
    fix_class = FixClass.SAFE
    examples = (
        Example("prefect agent local start --key \"$KEY\" -l prod\n", kind=SHELL),
        Example("prefect agent fargate start --token \"$T\"\n", kind=SHELL),  # manual: reported only
        Example(
            "prefect agent docker start --no-docker-interface -l prod\n",
            "prefect agent docker start -l prod\n",
            kind=SHELL,
        ),
        Example(
            "prefect agent start docker --no-docker-interface -v -l prod\n",
            "prefect agent docker start --log-level DEBUG -l prod\n",
            kind=SHELL,
        ),
    )


@register
class ExecuteCloudFlow(_CommandCodemod):
    """``prefect execute cloud-flow`` (0.13) -> ``prefect execute flow-run``.

    Before::

        prefect execute cloud-flow

    After::

        prefect execute flow-run
    """

    code = EXECUTE
    summary = "`prefect execute cloud-flow` -> `prefect execute flow-run`"
    fix_class = FixClass.SAFE
    examples = (
        Example("prefect execute flow-run\n", kind=SHELL),
        Example("prefect execute cloud-flow\n", "prefect execute flow-run\n", kind=SHELL),
    )
