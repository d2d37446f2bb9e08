"""The ``prefect`` command-line transform, shared by the shell and the Python codemods.

``transform_argv(args, options)`` takes the words of one command line (``args[0]`` is the
``prefect`` word) and returns the edits that turn a Prefect 0.13–0.15 command into its Prefect
1.0 form, with findings; it never sees quoting or text. ``rewrite_shell`` applies it to every
``prefect`` command in a shell text, keeping every byte outside the edited words, and the Python
codemod (PFU420) maps the same edits back onto list elements and string literals.

Option tables come from walking the click trees of 0.13.19, 0.14.22, 0.15.13 and 1.0.0
(spec: api-diff §6).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.codemods.shell_words import Word, line_col, quote, split_commands
from prefect_upgrade.findings import FixClass

SAFE, UNSAFE, MANUAL = FixClass.SAFE, FixClass.UNSAFE, FixClass.MANUAL

REGISTER, RUN, AUTH, AGENT, EXECUTE = "PFU401", "PFU402", "PFU403", "PFU404", "PFU405"


# --------------------------------------------------------------------------------------------
# What a transform returns


@dataclass(frozen=True)
class Arg:
    """One word of a command line: its static value (None if dynamic) and how it reads."""

    value: Optional[str]
    text: str

    @property
    def static(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Lit:
    """A new word with this value."""

    value: str


@dataclass(frozen=True)
class Keep:
    """The original word at ``index``, unchanged."""

    index: int


@dataclass(frozen=True)
class Rename:
    """The original word at ``index`` (``--old=value``) with its option name replaced."""

    index: int
    old: str
    new: str


NewWord = Union[Lit, Keep, Rename]


@dataclass
class Edit:
    """Replace word ``index`` by ``words`` (nothing: delete it), or insert them after it."""

    index: int
    words: tuple[NewWord, ...]
    insert_after: bool = False


@dataclass
class CliFinding:
    index: int
    code: str
    fix_class: FixClass
    message: str
    applied: bool


@dataclass
class Transform:
    edits: list[Edit] = field(default_factory=list)
    findings: list[CliFinding] = field(default_factory=list)

    def replace(self, index: int, *words: NewWord) -> None:
        self.edits.append(Edit(index, tuple(words)))

    def delete(self, index: int) -> None:
        self.edits.append(Edit(index, ()))

    def insert_after(self, index: int, *words: NewWord) -> None:
        self.edits.append(Edit(index, tuple(words), insert_after=True))

    def report(self, index: int, code: str, fix_class: FixClass, message: str, applied: bool) -> None:
        self.findings.append(CliFinding(index, code, fix_class, message, applied))

    def by_word(self) -> tuple[dict[int, tuple[NewWord, ...]], dict[int, list[NewWord]]]:
        """The words that replace each word (the last edit wins), and those inserted after it."""
        replaced: dict[int, tuple[NewWord, ...]] = {}
        inserted: dict[int, list[NewWord]] = {}
        for edit in self.edits:
            if edit.insert_after:
                inserted.setdefault(edit.index, []).extend(edit.words)
            else:
                replaced[edit.index] = edit.words
        return replaced, inserted


# --------------------------------------------------------------------------------------------
# Option parsing


@dataclass(frozen=True)
class Opt:
    key: str
    names: tuple[str, ...]
    takes_value: bool = True


@dataclass
class Occurrence:
    opt: Opt
    name: str
    index: int  # the word holding the option name
    value_index: Optional[int]  # the word holding its value (the same word when attached)
    attached: bool = False

    def value(self, args: Sequence[Arg]) -> Optional[str]:
        if self.value_index is None:
            return None
        word = args[self.value_index]
        if word.value is None:
            return None
        return word.value[len(self.name) + 1 :] if self.attached else word.value


@dataclass
class Parsed:
    occurrences: list[Occurrence] = field(default_factory=list)
    positionals: list[int] = field(default_factory=list)
    opaque: list[int] = field(default_factory=list)
    error: Optional[tuple[int, str]] = None

    def find(self, key: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.opt.key == key]

    def problem(self, args: Sequence[Arg]) -> tuple[int, str]:
        """Where and why the options could not be read (``error``, or the first positional)."""
        return self.error or (self.positionals[0], f"unexpected argument `{args[self.positionals[0]].text}`")


_ATTACHED = re.compile(r"(--[A-Za-z0-9][A-Za-z0-9-]*)=")


def parse_options(args: Sequence[Arg], start: int, table: Sequence[Opt], extra_ok: bool = False) -> Parsed:
    by_name = {name: opt for opt in table for name in opt.names}
    parsed = Parsed()
    i = start
    n = len(args)
    while i < n:
        arg = args[i]
        if arg.value is None:
            attached = _ATTACHED.match(arg.text)
            if attached and attached.group(1) in by_name and by_name[attached.group(1)].takes_value:
                opt = by_name[attached.group(1)]
                parsed.occurrences.append(Occurrence(opt, attached.group(1), i, i, True))
            else:
                parsed.opaque.append(i)
            i += 1
            continue
        value = arg.value
        if value == "--":
            parsed.positionals.extend(range(i + 1, n))
            break
        if value.startswith("--") and "=" in value:
            name = value.split("=", 1)[0]
            opt = by_name.get(name)
            if opt is None or not opt.takes_value:
                if extra_ok:
                    i += 1
                    continue
                parsed.error = (i, f"unknown option {name}")
                return parsed
            parsed.occurrences.append(Occurrence(opt, name, i, i, True))
            i += 1
            continue
        opt = by_name.get(value)
        if opt is not None:
            if opt.takes_value:
                if i + 1 >= n:
                    parsed.error = (i, f"option {value} has no value")
                    return parsed
                parsed.occurrences.append(Occurrence(opt, value, i, i + 1))
                i += 2
            else:
                parsed.occurrences.append(Occurrence(opt, value, i, None))
                i += 1
            continue
        if value.startswith("-") and len(value) > 1:
            if extra_ok:
                i += 1
                continue
            parsed.error = (i, f"unknown option {value}")
            return parsed
        parsed.positionals.append(i)
        i += 1
    return parsed


def _rename(t: Transform, occ: Occurrence, new: str) -> None:
    """Give option ``occ`` the name ``new`` (in place; its value is kept)."""
    if occ.attached:
        t.replace(occ.index, Rename(occ.index, occ.name, new))
    else:
        t.replace(occ.index, Lit(new))


def _drop(t: Transform, occ: Occurrence) -> None:
    t.delete(occ.index)
    if occ.value_index is not None and occ.value_index != occ.index:
        t.delete(occ.value_index)


def _last_index(args: Sequence[Arg]) -> int:
    return len(args) - 1


def _opaque_note(t: Transform, parsed: Parsed, args: Sequence[Arg], code: str, command: str) -> None:
    for index in parsed.opaque:
        t.report(
            index,
            code,
            MANUAL,
            f"`{args[index].text}` is expanded at run time: check that the options it holds are valid "
            f"for Prefect 1.0 `{command}`",
            False,
        )


# --------------------------------------------------------------------------------------------
# prefect register flow


_REGISTER_FLOW = (
    Opt("file", ("--file", "-f")),
    Opt("name", ("--name", "-n")),
    Opt("project", ("--project", "-p")),
    Opt("label", ("--label", "-l")),
    Opt("skip", ("--skip-if-flow-metadata-unchanged",), takes_value=False),
)


def _register(args: Sequence[Arg], t: Transform) -> None:
    flow = 2
    parsed = parse_options(args, 3, _REGISTER_FLOW)
    if parsed.error or parsed.positionals:
        index, why = parsed.problem(args)
        t.report(index, REGISTER, MANUAL, f"`prefect register flow` was removed in 1.0 and this one could not be "
                 f"rewritten ({why}): use `prefect register --project P --path FILE`", False)
        return
    t.delete(flow)
    for occ in parsed.occurrences:
        key = occ.opt.key
        if key == "file":
            _rename(t, occ, "--path")  # never "-p": that is --path now, and "-f" is --force
        elif key == "project" and occ.name == "-p":
            _rename(t, occ, "--project")
        elif key == "skip":
            t.delete(occ.index)
    if not parsed.find("file"):
        t.report(1, REGISTER, MANUAL, "`prefect register flow` had no --file: pass --path FILE", False)
    skip = parsed.find("skip")
    message = "`prefect register flow` -> `prefect register` (`--file/-f` is `--path`, `-p` is `--project`)"
    if skip:
        message += "; --skip-if-flow-metadata-unchanged dropped: skipping unchanged flows is the 1.0 default"
    else:
        t.insert_after(_last_index(args), Lit("--force"))
        message += (
            "; --force added to keep the old behaviour (a new version on every registration): remove it "
            "to skip flows whose metadata did not change, the 1.0 default"
        )
    t.report(1, REGISTER, SAFE, message, True)
    if not parsed.find("project"):
        t.report(
            1,
            REGISTER,
            MANUAL,
            "Prefect 1.0 `prefect register` requires --project: add `--project NAME` (the project to register into)",
            False,
        )
    _opaque_note(t, parsed, args, REGISTER, "prefect register")


_REGISTER_1 = (
    Opt("project", ("--project",)), Opt("path", ("--path", "-p")), Opt("module", ("--module", "-m")),
    Opt("json", ("--json", "-j")), Opt("name", ("--name", "-n")), Opt("label", ("--label", "-l")),
    Opt("force", ("--force", "-f"), takes_value=False), Opt("watch", ("--watch",), takes_value=False),
    Opt("schedule", ("--schedule", "--no-schedule"), takes_value=False),
)


def _register_flows(args: Sequence[Arg], t: Transform) -> None:
    """``prefect register flows ...``: the upgrade guide's example, which no Prefect accepts."""
    parsed = parse_options(args, 3, _REGISTER_1)
    if parsed.error or parsed.positionals:
        return
    t.delete(2)
    t.report(1, REGISTER, SAFE, "`prefect register flows` (the 1.0 upgrade guide's example) is not a command: "
             "`prefect register` takes these options itself", True)
    _register_without_project(args, t)


def _register_without_project(args: Sequence[Arg], t: Transform) -> None:
    """A top-level ``prefect register`` without --project (left by a rewrite, or by hand)."""
    if any(a.value is None for a in args):
        return  # the project may come from a variable
    if any(a.value == "--project" or a.value.startswith("--project=") for a in args):
        return
    t.report(1, REGISTER, MANUAL, "`prefect register` requires --project: add `--project NAME` (the project "
             "to register into)", False)


# --------------------------------------------------------------------------------------------
# prefect run flow / run cloud / run server


_RUN_FLOW = (
    Opt("id", ("--id", "-i")),
    Opt("version_group_id", ("--version-group-id",)),
    Opt("name", ("--name", "-n")),
    Opt("project", ("--project", "-p")),
    Opt("version", ("--version", "-v")),
    Opt("params_file", ("--parameters-file", "-pf")),
    Opt("params", ("--parameters-string", "-ps")),
    Opt("run_name", ("--run-name", "-rn")),
    Opt("context", ("--context", "-c")),
    Opt("label", ("--label",)),
    Opt("watch", ("--watch", "-w"), takes_value=False),
    Opt("logs", ("--logs", "-l"), takes_value=False),
    Opt("no_url", ("--no-url",), takes_value=False),
)


def _load_cli_value(value: str):
    """How Prefect 1.0 reads the value of ``--param k=VALUE`` (``cli/run.py`` ``cast_value``)."""
    try:
        return json.loads(value)
    except ValueError as exc:
        if ("Extra data" in str(exc) or "Expecting value" in str(exc)) and '"' not in value:
            return _load_cli_value(f'"{value}"')
        raise


def key_values(text: str) -> Optional[list[str]]:
    """``'{"a": 1, "b": "x"}'`` -> ``["a=1", "b=x"]``; None when there is no faithful form.

    Each value is written so that Prefect 1.0 reads it back as the same JSON value; a key or
    value holding ``=`` has none on 1.0.0–1.2.0 (``spec.split("=")``), nor has a non-object.
    """
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    pairs = []
    for key, value in data.items():
        if isinstance(value, str):
            written = value if value else '""'
            try:
                same = _load_cli_value(written) == value and type(_load_cli_value(written)) is str
            except ValueError:
                same = False
            if not same:
                written = json.dumps(value)
        else:
            written = json.dumps(value, separators=(",", ":"))
        if "=" in key or "=" in written or not key:
            return None
        pairs.append(f"{key}={written}")
    return pairs


def _json_option(
    args: Sequence[Arg], t: Transform, occ: Occurrence, new: str, what: str, options: CodemodOptions
) -> bool:
    """Rewrite a JSON option into ``new key=value`` pairs; False (and a finding) when it cannot be."""
    value = occ.value(args)
    pairs = key_values(value) if value is not None and "${__pfu" not in value else None
    if pairs is None:
        if value is None or "${__pfu" in value:
            why = "its JSON is built at run time"
        else:
            why = "its JSON is not a flat object whose keys and values are free of `=`"
            try:
                if any("=" in str(k) or "=" in json.dumps(v) for k, v in json.loads(value).items()):
                    why = "a key or value holds `=`, which Prefect 1.0.0-1.2.0 cannot parse in `key=value`"
            except (ValueError, AttributeError):
                pass
        t.report(
            occ.index,
            RUN,
            MANUAL,
            f"`{occ.name}` was removed: pass each {what} as `{new} key=value` (the value is read as JSON); "
            f"not rewritten because {why}",
            False,
        )
        return False
    words: list[NewWord] = []
    for pair in pairs:
        words += [Lit(new), Lit(pair)]
    t.replace(occ.index, *words)
    if not occ.attached:
        t.delete(occ.value_index)
    return True


def _run(args: Sequence[Arg], t: Transform, options: CodemodOptions) -> None:
    sub = 2
    old = args[sub].value
    parsed = parse_options(args, 3, _RUN_FLOW)
    if parsed.error or parsed.positionals:
        index, why = parsed.problem(args)
        t.report(index, RUN, MANUAL, f"`prefect run {old}` was removed in 1.0 and this one could not be "
                 f"rewritten ({why}): use `prefect run --name NAME --project P`", False)
        return
    t.delete(sub)
    notes = []
    has_logs = bool(parsed.find("logs"))
    for occ in parsed.occurrences:
        key = occ.opt.key
        if key == "version_group_id":
            _rename(t, occ, "--id")
            notes.append("--version-group-id is --id (it also takes a flow group id)")
        elif key == "project" and occ.name == "-p":
            _rename(t, occ, "--project")
        elif key == "params_file":
            _rename(t, occ, "--param-file")
        elif key == "run_name" and occ.name == "-rn":
            _rename(t, occ, "--run-name")
        elif key == "params":
            if _json_option(args, t, occ, "--param", "parameter", options):
                notes.append(f"{occ.name} JSON is one `--param key=value` per parameter")
        elif key == "context":
            if _json_option(args, t, occ, "--context", "context key", options):
                notes.append(f"{occ.name} JSON is one `--context key=value` per key")
        elif key == "version":
            t.report(
                occ.index,
                RUN,
                MANUAL,
                "Prefect 1.0 `prefect run` always runs the latest version: look up the flow id of this "
                "version (`prefect get flows --name N --version V`) and pass `--id ID` instead of "
                f"`{occ.name}`",
                False,
            )
        elif key == "watch":
            if has_logs:
                t.delete(occ.index)
            else:
                t.replace(occ.index, Lit("--watch"), Lit("--no-logs"))
                notes.append("--watch is `--watch --no-logs` (1.0 prints states differently and exits 1 "
                             "when the run fails)")
        elif key == "logs":
            t.replace(occ.index, Lit("--watch"))
            notes.append("--logs is --watch (logs stream by default; 1.0 exits 1 when the run fails)")
        elif key == "no_url":
            if options.allows(UNSAFE):
                t.replace(occ.index, Lit("--quiet"))
                t.report(occ.index, RUN, UNSAFE, "--no-url is --quiet, which prints only the bare flow run id "
                         "(0.15 printed `Flow Run ID: <id>`): check the scripts that read the output", True)
            else:
                t.report(occ.index, RUN, UNSAFE, "--no-url was removed: `--quiet` prints only the bare flow run "
                         "id (0.15 printed `Flow Run ID: <id>`); check the scripts that read the output", False)
    message = f"`prefect run {old}` -> `prefect run` (`-p` is `--project`, `-pf` is `--param-file`)"
    if old == "server":
        message += "; it now uses the configured backend (`prefect backend server`)"
    if notes:
        message += "; " + "; ".join(notes)
    t.report(1, RUN, SAFE, message, True)
    _opaque_note(t, parsed, args, RUN, "prefect run")


#: Options of the old ``run flow`` that 1.0 ``prefect run`` rejects, left behind by an earlier
#: run of this codemod (or by hand): reported again so that they are not forgotten.
_RUN_LEFTOVERS = {
    "-ps": "pass each parameter as `--param key=value`",
    "--parameters-string": "pass each parameter as `--param key=value`",
    "-pf": "use `--param-file FILE`",
    "--parameters-file": "use `--param-file FILE`",
    "-rn": "use `--run-name NAME`",
    "--version-group-id": "use `--id ID`",
    "-v": "look up the flow id of that version and pass `--id ID`",
    "--version": "look up the flow id of that version and pass `--id ID`",
    "--no-url": "use `--quiet` (it prints only the bare flow run id)",
    "--logs": "use `--watch` (logs stream by default)",
    "-l": "use `--watch` (logs stream by default)",
}


_RUN_VALUE_OPTIONS = {"--id", "-i", "--project", "--path", "-p", "--module", "-m", "--name", "-n", "--label",
                      "--run-name", "--context", "--param", "--log-level", "--param-file", "--idempotency-key"}


def _run_leftovers(args: Sequence[Arg], t: Transform) -> None:
    for index in range(2, len(args)):
        if args[index - 1].value in _RUN_VALUE_OPTIONS:
            continue
        value = args[index].value
        name = value.split("=", 1)[0] if value and value.startswith("--") else value
        if name in _RUN_LEFTOVERS:
            t.report(index, RUN, MANUAL, f"Prefect 1.0 `prefect run` has no `{name}`: {_RUN_LEFTOVERS[name]}", False)


# --------------------------------------------------------------------------------------------
# prefect auth


_NEW_KEY = "create an API key (`prefect auth create-key -n NAME`) and use it"


def _auth(args: Sequence[Arg], t: Transform, options: CodemodOptions) -> None:
    sub = 2
    name = args[sub].value
    if name == "login":
        parsed = parse_options(args, 3, (Opt("token", ("--token", "-t")), Opt("key", ("--key", "-k"))))
        for occ in parsed.find("token"):
            if options.allows(UNSAFE):
                _rename(t, occ, "--key")
                t.report(occ.index, AUTH, UNSAFE, f"`{occ.name}` renamed to `--key`: the value must now be an API "
                         f"key, not a token; {_NEW_KEY}", True)
            else:
                t.report(occ.index, AUTH, UNSAFE, f"`prefect auth login {occ.name}` was removed: {_NEW_KEY} with "
                         "`prefect auth login --key KEY`", False)
    elif name == "create-token":
        t.report(sub, AUTH, MANUAL, "`prefect auth create-token` was removed: create an API key with "
                 "`prefect auth create-key -n NAME -q` (keys have no scope; -q prints only the key)", False)
    elif name == "list-tokens":
        t.replace(sub, Lit("list-keys"))
        t.report(sub, AUTH, SAFE, "`prefect auth list-tokens` -> `prefect auth list-keys` (the columns differ)", True)
    elif name == "revoke-token":
        t.report(sub, AUTH, MANUAL, "`prefect auth revoke-token` was removed: revoke the API key instead with "
                 "`prefect auth revoke-key -i KEY_ID` (a token id is not a key id)", False)


# --------------------------------------------------------------------------------------------
# prefect agent


def _o(key, *names, flag=False):
    return Opt(key, names, not flag)


_COMMON_START = (
    _o("key", "--key", "-k"), _o("tenant_id", "--tenant-id"), _o("api", "--api", "-a"),
    _o("agent_config_id", "--agent-config-id"), _o("name", "--name", "-n"), _o("label", "--label", "-l"),
    _o("env", "--env", "-e"), _o("max_polls", "--max-polls"), _o("agent_address", "--agent-address"),
    _o("no_cloud_logs", "--no-cloud-logs", flag=True), _o("log_level", "--log-level"),
)
#: The 1.0 options of each ``prefect agent <type> start|install`` (the 0.15 ones minus --token
#: and --no-docker-interface).
_NEW_AGENT = {
    ("local", "start"): _COMMON_START + (
        _o("import_path", "--import-path", "-p"), _o("show_flow_logs", "--show-flow-logs", "-f", flag=True),
        _o("hostname_label", "--hostname-label", "--no-hostname-label", flag=True),
    ),
    ("docker", "start"): _COMMON_START + (
        _o("base_url", "--base-url", "-b"), _o("no_pull", "--no-pull", flag=True),
        _o("show_flow_logs", "--show-flow-logs", "-f", flag=True), _o("volume", "--volume"),
        _o("network", "--network"), _o("docker_client_timeout", "--docker-client-timeout"),
    ),
    ("kubernetes", "start"): _COMMON_START + (
        _o("namespace", "--namespace"), _o("job_template", "--job-template"),
        _o("service_account_name", "--service-account-name"), _o("image_pull_secrets", "--image-pull-secrets"),
        _o("disable_job_deletion", "--disable-job-deletion", flag=True),
    ),
    ("ecs", "start"): _COMMON_START + (
        _o("cluster", "--cluster"), _o("launch_type", "--launch-type"), _o("task_role_arn", "--task-role-arn"),
        _o("execution_role_arn", "--execution-role-arn"), _o("task_definition", "--task-definition"),
        _o("run_task_kwargs", "--run-task-kwargs"),
    ),
    ("vertex", "start"): _COMMON_START + (
        _o("project", "--project"), _o("region_name", "--region-name"), _o("service_account", "--service-account"),
    ),
    ("local", "install"): (
        _o("key", "--key", "-k"), _o("tenant_id", "--tenant-id"), _o("label", "--label", "-l"),
        _o("env", "--env", "-e"), _o("agent_config_id", "--agent-config-id"),
        _o("import_path", "--import-path", "-p"), _o("show_flow_logs", "--show-flow-logs", "-f", flag=True),
    ),
    ("kubernetes", "install"): (
        _o("key", "--key", "-k"), _o("tenant_id", "--tenant-id"), _o("label", "--label", "-l"),
        _o("env", "--env", "-e"), _o("agent_config_id", "--agent-config-id"), _o("api", "--api", "-a"),
        _o("namespace", "--namespace", "-n"), _o("image_pull_secrets", "--image-pull-secrets", "-i"),
        _o("rbac", "--rbac", flag=True), _o("latest", "--latest", flag=True), _o("mem_request", "--mem-request"),
        _o("mem_limit", "--mem-limit"), _o("cpu_request", "--cpu-request"), _o("cpu_limit", "--cpu-limit"),
        _o("image_pull_policy", "--image-pull-policy"), _o("service_account_name", "--service-account-name"),
        _o("backend", "--backend", "-b"),
    ),
}
_TOKEN = _o("token", "--token", "-t")
_NO_DOCKER_INTERFACE = _o("no_docker_interface", "--no-docker-interface", flag=True)
_STORAGE_LABELS = _o("storage_labels", "--storage-labels", "--no-storage-labels", flag=True)
_RESOURCE_MANAGER = _o("resource_manager", "--resource-manager", flag=True)
_DROPPED = {
    "no_docker_interface": "it has had no effect since 0.14.18",
    "storage_labels": "it has had no effect since 0.14.0",
    "resource_manager": "the resource manager was removed in 0.15.0 (the agent cleans up its jobs itself)",
}

#: The hidden 0.13/0.14 ``prefect agent start [TYPE]`` and ``prefect agent install TYPE``.
_HIDDEN_START = (
    _TOKEN, _o("api", "--api", "-a"), _o("agent_config_id", "--agent-config-id"), _o("name", "--name", "-n"),
    _o("verbose", "--verbose", "-v", flag=True), _o("label", "--label", "-l"),
    _o("storage_labels", "--storage-labels", "--no-storage-labels", flag=True),
    _o("hostname_label", "--hostname-label", "--no-hostname-label", flag=True), _o("env", "--env", "-e"),
    _o("max_polls", "--max-polls"), _o("agent_address", "--agent-address"), _o("namespace", "--namespace"),
    _o("job_template", "--job-template"), _o("import_path", "--import-path", "-p"),
    _o("show_flow_logs", "--show-flow-logs", "-f", flag=True), _o("no_pull", "--no-pull", flag=True),
    _o("no_cloud_logs", "--no-cloud-logs", flag=True), _o("base_url", "--base-url", "-b"),
    _o("volume", "--volume"), _o("network", "--network"), _NO_DOCKER_INTERFACE,
    _o("docker_client_timeout", "--docker-client-timeout"),
)
_HIDDEN_INSTALL = (
    _TOKEN, _o("api", "--api", "-a"), _o("namespace", "--namespace", "-n"),
    _o("image_pull_secrets", "--image-pull-secrets", "-i"), _o("resource_manager", "--resource-manager", flag=True),
    _o("rbac", "--rbac", flag=True), _o("latest", "--latest", flag=True), _o("mem_request", "--mem-request"),
    _o("mem_limit", "--mem-limit"), _o("cpu_request", "--cpu-request"), _o("cpu_limit", "--cpu-limit"),
    _o("image_pull_policy", "--image-pull-policy"), _o("service_account_name", "--service-account-name"),
    _o("label", "--label", "-l"), _o("env", "--env", "-e"), _o("import_path", "--import-path", "-p"),
    _o("show_flow_logs", "--show-flow-logs", "-f", flag=True), _o("backend", "--backend", "-b"),
)
#: Options of Prefect 2's `prefect agent start`, which 0.x never had.
_PREFECT_2_AGENT = {"-q", "--work-queue", "--pool", "-m", "--match", "--run-once", "--limit", "--prefetch-seconds"}
_AGENT_TYPES = ("local", "docker", "kubernetes", "ecs", "vertex", "fargate")


def _token(t: Transform, occ: Occurrence, options: CodemodOptions, command: str) -> None:
    if options.allows(UNSAFE):
        _rename(t, occ, "--key")
        t.report(occ.index, AGENT, UNSAFE, f"`{occ.name}` renamed to `--key`: the value must now be an API key "
                 f"(a RUNNER token is not one); {_NEW_KEY}, with --tenant-id if needed", True)
    else:
        t.report(occ.index, AGENT, UNSAFE, f"`{command} {occ.name}` was removed: {_NEW_KEY} as `--key KEY` "
                 "(a RUNNER token is not an API key)", False)


def _fargate(t: Transform, index: int) -> None:
    t.report(index, AGENT, MANUAL, "the Fargate agent was removed in 1.0: run `prefect agent ecs start` "
             "instead (its options differ, and flows need an ECSRun run config)", False)


def _agent(args: Sequence[Arg], t: Transform, options: CodemodOptions) -> None:
    second = args[2].value
    if second in _AGENT_TYPES and len(args) > 3 and args[3].value in ("start", "install"):
        agent_type, action = second, args[3].value
        if agent_type == "fargate":
            _fargate(t, 2)
            return
        table = _NEW_AGENT.get((agent_type, action))
        if table is None:
            return
        removed = (_TOKEN, _NO_DOCKER_INTERFACE, _STORAGE_LABELS, _RESOURCE_MANAGER)
        parsed = parse_options(args, 4, table + removed)
        if parsed.error:
            return  # an option 0.13-0.15 did not know either: not ours to fix
        for occ in parsed.occurrences:
            if occ.opt.key == "token":
                _token(t, occ, options, f"prefect agent {agent_type} {action}")
            elif occ.opt.key in _DROPPED:
                t.delete(occ.index)
                t.report(occ.index, AGENT, SAFE, f"{occ.name} dropped: {_DROPPED[occ.opt.key]}, and 1.0 rejects it",
                         True)
        return
    if second not in ("start", "install"):
        return
    action = second
    parsed = parse_options(args, 3, _HIDDEN_START if action == "start" else _HIDDEN_INSTALL)
    command = f"prefect agent {action} TYPE"
    types = [i for i in parsed.positionals if args[i].value in _AGENT_TYPES]
    if parsed.error or len(parsed.positionals) > 1 or parsed.opaque and not parsed.positionals:
        if types and args[types[0]].value == "fargate":
            _fargate(t, types[0])
        elif types or not any(a.value in _PREFECT_2_AGENT for a in args[3:]):
            index, why = parsed.error or ((types or parsed.opaque or [2])[0], "the agent type cannot be told")
            t.report(index, AGENT, MANUAL, f"`{command}` was removed: use `prefect agent TYPE {action}` "
                     f"(not rewritten: {why})", False)
        # otherwise a Prefect 2 command line (`prefect agent start -q QUEUE`): not ours
        return
    if parsed.positionals:
        type_index = parsed.positionals[0]
        agent_type = args[type_index].value
        if agent_type not in _AGENT_TYPES and "$" in agent_type:
            # a Kubernetes `$(VAR)` in a command list (quoted for the shell, expanded by Kubernetes)
            t.report(type_index, AGENT, MANUAL, f"`{command}` was removed: use `prefect agent TYPE {action}` "
                     f"(not rewritten: the agent type `{agent_type}` is only known at run time)", False)
            return
    else:
        type_index, agent_type = None, "local" if action == "start" else None
    if agent_type is None:
        t.report(2, AGENT, MANUAL, f"`{command}` was removed: use `prefect agent TYPE {action}`", False)
        return
    if agent_type == "fargate":
        _fargate(t, type_index if type_index is not None else 2)
        return
    new_table = _NEW_AGENT.get((agent_type, action))
    if new_table is None:
        t.report(type_index or 2, AGENT, MANUAL, f"`prefect agent {action} {agent_type}` has no 1.0 form", False)
        return
    t.replace(2, Lit(agent_type), Lit(action))
    if type_index is not None:
        t.delete(type_index)
    valid = {opt.key for opt in new_table}
    dropped = []
    for occ in parsed.occurrences:
        key = occ.opt.key
        if key == "token":
            _token(t, occ, options, f"prefect agent {agent_type} {action}")
        elif key == "verbose":
            t.replace(occ.index, Lit("--log-level"), Lit("DEBUG"))
        elif key in ("storage_labels", "no_docker_interface", "resource_manager") or key not in valid:
            _drop(t, occ)
            dropped.append(occ.name)
    if type_index is None:
        # 0.13/0.14's `prefect agent start` without a type started a local agent: say so, and
        # quote the command as it was written (it named no type).
        message = (f"`prefect agent {action}` -> `prefect agent {agent_type} {action}` "
                   f"(without a type, 0.13/0.14 started a {agent_type} agent)")
    else:
        message = f"`prefect agent {action} {agent_type}` -> `prefect agent {agent_type} {action}`"
    if parsed.find("verbose"):
        message += "; --verbose is `--log-level DEBUG`"
    if dropped:
        message += f"; dropped {', '.join(dropped)} (no effect in this command, and 1.0 rejects it)"
    t.report(2, AGENT, SAFE, message, True)
    _opaque_note(t, parsed, args, AGENT, f"prefect agent {agent_type} {action}")


# --------------------------------------------------------------------------------------------
# prefect execute cloud-flow


def _execute(args: Sequence[Arg], t: Transform) -> None:
    if args[2].value == "cloud-flow":
        t.replace(2, Lit("flow-run"))
        t.report(2, EXECUTE, SAFE, "`prefect execute cloud-flow` -> `prefect execute flow-run`", True)


# --------------------------------------------------------------------------------------------
# Entry points


def transform_argv(args: Sequence[Arg], options: CodemodOptions, codes: Sequence[str]) -> Transform:
    """The edits and findings for one ``prefect`` command line (``args[0]`` is ``prefect``).

    ``codes`` are the families to handle (PFU401 register … PFU405 execute).
    """
    t = Transform()
    if len(args) < 3 or args[1].value is None or args[2].value is None:
        return t
    if any(a.value in ("--help", "-h") for a in args):
        return t
    group, sub = args[1].value, args[2].value
    if group == "register" and sub == "flow" and REGISTER in codes:
        _register(args, t)
    elif group == "register" and sub == "flows" and REGISTER in codes:
        _register_flows(args, t)
    elif group == "register" and REGISTER in codes:
        _register_without_project(args, t)
    elif group == "run" and sub in ("flow", "cloud", "server") and RUN in codes:
        _run(args, t, options)
    elif group == "run" and RUN in codes:
        _run_leftovers(args, t)
    elif group == "auth" and AUTH in codes:
        _auth(args, t, options)
    elif group == "agent" and AGENT in codes:
        _agent(args, t, options)
    elif group == "execute" and EXECUTE in codes:
        _execute(args, t)
    return t


# --------------------------------------------------------------------------------------------
# Finding ``prefect`` in shell commands


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_PREFIX_WORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "{", "time", "exec", "nohup",
                 "command", "builtin", "eval", "$", "%"}  # "$ prefect ...": a prompt in docs
_RUNNERS = {"poetry": "run", "pipenv": "run", "pdm": "run", "uv": "run", "hatch": "run", "rye": "run"}
_PYTHON = re.compile(r"(?:.*/)?python[0-9.]*")


def prefect_index(words: Sequence[Word]) -> Optional[int]:
    """The index of the ``prefect`` word of a simple command (after ``sudo``, ``env``, runners)."""
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        v = w.value
        if v is None:
            if _ASSIGNMENT.match(w.raw):
                i += 1
                continue
            return None
        if _ASSIGNMENT.match(v) and not v.startswith("-"):
            i += 1
            continue
        if v in _PREFIX_WORDS:
            i += 1
            continue
        if v == "sudo":
            i += 1
            while i < n and words[i].value and words[i].value.startswith("-"):
                takes = words[i].value in ("-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t")
                i += 2 if takes else 1
            continue
        if v == "xargs":
            i += 1
            while i < n and words[i].value and words[i].value.startswith("-"):
                i += 2 if words[i].value in ("-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a") else 1
            continue
        if v == "env":
            i += 1
            while i < n and words[i].value is not None and (
                words[i].value.startswith("-") or _ASSIGNMENT.match(words[i].value)
            ):
                i += 2 if words[i].value in ("-u", "-C", "-S") else 1
            continue
        if v in _RUNNERS and i + 1 < n and words[i + 1].value == _RUNNERS[v]:
            i += 2
            continue
        if v == "conda" and i + 1 < n and words[i + 1].value == "run":
            i += 2
            while i < n and words[i].value and words[i].value.startswith("-"):
                i += 2 if words[i].value in ("-n", "--name", "-p", "--prefix") else 1
            continue
        if _PYTHON.fullmatch(v) and i + 2 < n and words[i + 1].value == "-m" and words[i + 2].value == "prefect":
            return i + 2
        if v.lstrip("!") == "prefect" or v.endswith("/prefect"):
            return i  # "!prefect ..." is a notebook shell escape
        return None
    return None


def _render_shell(words: Sequence[Word], new: NewWord, style: str) -> str:
    if isinstance(new, Lit):
        return quote(new.value, style)
    raw = words[new.index].raw
    if isinstance(new, Keep):
        return raw
    return new.new + raw[len(new.old):]


@dataclass(frozen=True)
class Span:
    """Replace ``text[start:end]`` by ``new``."""

    start: int
    end: int
    new: str


def edit_spans(text: str, words: Sequence[Word], t: Transform) -> list[Span]:
    """``t``'s edits as text spans; ``words`` are the command's words (index 0 = prefect).

    A deleted word goes with the blank before it, or, when that blank holds a line
    continuation and more words follow, with the blank after it, so that continuation lines
    stay as they were.
    """
    style = "'"
    if any(w.raw.startswith('"') for w in words) and not any(w.raw.startswith("'") for w in words):
        style = '"'
    replaced, inserted = t.by_word()
    spans: list[Span] = []
    n = len(words)
    i = 0
    while i < n:
        if i in replaced and not replaced[i] and i > 0:
            j = i
            while j + 1 < n and replaced.get(j + 1, None) == () and j not in inserted:
                j += 1
            gap = text[words[i - 1].end : words[i].start]
            if ("\n" in gap or (i - 1) in inserted) and j + 1 < n:
                spans.append(Span(words[i].start, words[j + 1].start, ""))
            else:
                spans.append(Span(words[i - 1].end, words[j].end, ""))
            i = j + 1
            continue
        if i in replaced and replaced[i]:
            new = " ".join(_render_shell(words, w, style) for w in replaced[i])
            if new != words[i].raw:
                spans.append(Span(words[i].start, words[i].end, new))
        i += 1
    for index, new_words in inserted.items():
        at = words[index].end
        spans.append(Span(at, at, "".join(" " + _render_shell(words, w, style) for w in new_words)))
    return sorted(spans, key=lambda s: (s.start, s.end))


def apply_spans(text: str, spans: Sequence[Span]) -> str:
    out = []
    position = 0
    for span in spans:
        out.append(text[position : span.start])
        out.append(span.new)
        position = max(position, span.end)
    out.append(text[position:])
    return "".join(out)


def map_offset(spans: Sequence[Span], offset: int) -> int:
    """Where ``offset`` of the original text is in the rewritten one."""
    shift = 0
    for span in spans:
        if span.end <= offset and span.start < span.end or span.start < offset and span.start == span.end:
            shift += len(span.new) - (span.end - span.start)
        elif span.start <= offset < span.end:
            return span.start + shift
    return offset + shift


@dataclass
class ShellFinding:
    line: int
    col: int
    code: str
    fix_class: FixClass
    message: str
    applied: bool


def expected_values(args: Sequence[Arg], t: Transform) -> list[Optional[str]]:
    """The words (static values, None when dynamic) the command has once ``t`` is applied."""
    replaced, inserted = t.by_word()

    def value(word: NewWord) -> Optional[str]:
        if isinstance(word, Lit):
            return word.value
        original = args[word.index].value
        if isinstance(word, Keep) or original is None:
            return original
        return word.new + original[len(word.old):]

    out: list[Optional[str]] = []
    for index, arg in enumerate(args):
        out.extend(value(w) for w in replaced[index]) if index in replaced else out.append(arg.value)
        out.extend(value(w) for w in inserted.get(index, []))
    return out


def _rewritten_in_place(text: str, words: Sequence[Word], spans: Sequence[Span], expected) -> bool:
    """Whether applying ``spans`` gives exactly the command ``expected`` (a guard against a
    shell construct the splitter does not know)."""
    lo = min([words[0].start] + [s.start for s in spans])
    hi = max([words[-1].end] + [s.end for s in spans])
    piece = apply_spans(text[lo:hi], [Span(s.start - lo, s.end - lo, s.new) for s in spans])
    for command in split_commands(piece):
        start = prefect_index(command.words)
        if start is not None:
            return [w.value for w in command.words[start:]] == expected
    return False


_SHELLS = re.compile(r"(?:.*/)?(?:ba|z|da|k|a)?sh")
_DASH_C = re.compile(r"-[a-z]*c[a-z]*")
_NOT_IN_QUOTES = {"'": "'", '"': '"$`\\'}
_NOT_WRITTEN = "inside this `sh -c` string the rewrite would need other quoting: make the changes above by hand"


def _collect(
    text: str, options: CodemodOptions, codes: Sequence[str], lo: int = 0, hi: Optional[int] = None,
    seen: Optional[set] = None, depth: int = 0,
) -> tuple[list[Span], list[tuple[int, CliFinding]]]:
    """Spans and findings (at offsets of ``text``) for the commands in ``text[lo:hi]``."""
    seen = set() if seen is None else seen
    spans: list[Span] = []
    located: list[tuple[int, CliFinding]] = []
    for command in split_commands(text[lo:hi]):
        all_words = [Word(w.start + lo, w.end + lo, w.raw, w.value) for w in command.words]
        if depth < 4:
            inner_spans, inner_located = _shell_c(text, all_words, options, codes, seen, depth)
            spans.extend(inner_spans)
            located.extend(inner_located)
        start = prefect_index(all_words)
        if start is None or all_words[start].start in seen:
            continue
        seen.add(all_words[start].start)
        words = all_words[start:]
        args = [Arg(w.value, w.raw) for w in words]
        t = transform_argv(args, options, codes)
        command_spans = edit_spans(text, words, t)
        findings = t.findings
        if command_spans and not _rewritten_in_place(text, words, command_spans, expected_values(args, t)):
            command_spans = []
            findings = _refused(findings, "this command line could not be rewritten in place: make the changes "
                                "above by hand")
        spans.extend(command_spans)
        located.extend((words[f.index].start, f) for f in findings)
        cut = _cut_tail(text, words, lo, codes)
        if cut is not None:
            located.append(cut)
    return spans, located


_FAMILIES = {"register": REGISTER, "run": RUN, "auth": AUTH, "agent": AGENT, "execute": EXECUTE}


def _cut_tail(text: str, words: Sequence[Word], lo: int, codes: Sequence[str]) -> Optional[tuple[int, CliFinding]]:
    """A manual finding where a ``prefect`` command is cut by a ``(`` or ``)`` that the shell
    rejects there (``--label a)b --token T``): the splitter, like the shell, ends the command
    at it, so the words after it were not read as the command's (no fix, no finding). A ``)``
    that closes a ``(`` or ``$(`` opened before the command is not a cut."""
    if len(words) < 2 or words[1].value not in _FAMILIES or _FAMILIES[words[1].value] not in codes:
        return None
    end = words[-1].end
    line_end = text.find("\n", end)
    rest = text[end : len(text) if line_end < 0 else line_end]
    stripped = rest.lstrip(" \t")
    if not stripped or stripped[0] not in "()":
        return None
    operator = stripped[0]
    tail = stripped[1:].strip()
    if not tail or tail.startswith("#") or not tail.strip(")(;&| \t"):
        return None
    if operator == ")" and _open_parens(text[lo : words[0].start]) > 0:
        return None  # a subshell or ``$(`` closing: the shell's own syntax
    offset = end + len(rest) - len(stripped)
    shown = tail if len(tail) <= 40 else tail[:37] + "..."
    return offset, CliFinding(
        0,
        _FAMILIES[words[1].value],
        MANUAL,
        f"the shell rejects `{operator}` here: this `prefect {words[1].value}` command is cut at it and "
        f"`{shown}` after it was not read; check that part by hand (quote the word if it belongs to the command)",
        False,
    )


def _open_parens(text: str) -> int:
    """How many ``(`` (subshells, ``$(``) are open at the end of ``text``, outside single quotes."""
    depth = 0
    index = 0
    quoted = False
    while index < len(text):
        char = text[index]
        if char == "\\" and not quoted:
            index += 2
            continue
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth = max(0, depth - 1)
        index += 1
    return depth


def _refused(findings: Sequence[CliFinding], why: str) -> list[CliFinding]:
    code = findings[0].code if findings else REGISTER
    return [CliFinding(f.index, f.code, f.fix_class, f.message, False) for f in findings] + [
        CliFinding(0, code, MANUAL, why, False)
    ]


def _shell_c(text, words, options, codes, seen, depth):
    """The commands inside ``sh -c '...'`` / ``bash -c "..."`` (quoted, without backslashes)."""
    for index, word in enumerate(words[:-2]):
        if word.value and _SHELLS.fullmatch(word.value) and words[index + 1].value and _DASH_C.fullmatch(
            words[index + 1].value
        ):
            script = words[index + 2]
            quote = script.raw[:1]
            if quote not in _NOT_IN_QUOTES or len(script.raw) < 2 or script.raw[-1] != quote:
                return [], []
            if quote == '"' and "\\" in script.raw:
                return [], []
            spans, located = _collect(text, options, codes, script.start + 1, script.end - 1, seen, depth + 1)
            if any(ch in span.new for span in spans for ch in _NOT_IN_QUOTES[quote]):
                refused = _refused([f for _, f in located], _NOT_WRITTEN)
                return [], [(script.start, f) for f in refused]
            return spans, located
    return [], []


def rewrite_shell(text: str, options: CodemodOptions, codes: Sequence[str]) -> tuple[str, list[ShellFinding]]:
    """Rewrite every old ``prefect`` command in a shell text; a pure function.

    Commands are also found inside ``$(...)``, backticks and ``sh -c '...'`` strings. Findings
    are placed at the line and column (1-based) of the text given, as the runner expects of every
    codemod (it carries them into the rewritten file).
    """
    spans, located = _collect(text, options, codes)
    spans.sort(key=lambda s: (s.start, s.end))
    new_text = apply_spans(text, spans)
    findings = []
    for offset, f in located:
        line, col = line_col(text, offset)
        findings.append(ShellFinding(line, col, f.code, f.fix_class, f.message, f.applied))
    return new_text, findings
