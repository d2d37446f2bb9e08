"""Prefect settings outside Python: environment variables and ``config.toml`` keys (PFU410, PFU411).

Prefect 1.0 silently ignores ``logging.log_to_cloud`` (it reads ``cloud.send_flow_run_logs``),
ignores the auth-token settings (API keys replaced tokens), and falls back to ``Local`` storage
when ``flows.defaults.storage.default_class`` names a ``prefect.environments.storage`` class
(api-diff §0 items 5 and 9, §5).
"""

from __future__ import annotations

import re
from typing import Optional

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods.base import Example, TextCodemod
from prefect_upgrade.findings import FixClass

SETTING_KINDS = frozenset({"shell", "yaml", "dockerfile", "makefile", "dotenv", "toml", "ini"})

OLD_LOG_VAR = "PREFECT__LOGGING__LOG_TO_CLOUD"
NEW_LOG_VAR = "PREFECT__CLOUD__SEND_FLOW_RUN_LOGS"
TOKEN_VARS = ("PREFECT__CLOUD__AGENT__AUTH_TOKEN", "PREFECT__CLOUD__AUTH_TOKEN")


def _identifier(name: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])")


_OLD_LOG = _identifier(OLD_LOG_VAR)
_API_KEY = _identifier("PREFECT__CLOUD__API_KEY")
_TOKENS = [(name, _identifier(name)) for name in TOKEN_VARS]


def _secret_name(line: str, match: "re.Match[str]") -> bool:
    """Whether ``match`` names a CI secret or variable (``${{ secrets.PREFECT__... }}``): the
    store's own key, which Prefect never reads and which renaming would break."""
    return line[: match.start()].endswith(("secrets.", "vars."))

_STORAGE_NAMES = {"Azure", "Bitbucket", "CodeCommit", "Docker", "GCS", "GitHub", "GitLab", "Local", "S3",
                  "Webhook", "Storage"}
_EXECUTOR_NAMES = {"LocalExecutor", "DaskExecutor", "LocalDaskExecutor", "Executor"}
_CLASS_PATH = re.compile(
    r"(?<![A-Za-z0-9_.])prefect\.(?P<family>environments\.storage|engine\.executors)"
    r"(?:\.(?P<module>[a-z_][a-z0-9_]*))?\.(?P<name>[A-Z][A-Za-z0-9_]*)(?![A-Za-z0-9_])"
)
_DEFAULT_CLASS = re.compile(r"default_class", re.IGNORECASE)
_YAML_VALUE = re.compile(r"^\s*(?:-\s+)?value\s*:")
_YAML_NAME = re.compile(r"^\s*-\s+name\s*:\s*[\"']?(?P<name>[A-Z0-9_]+)[\"']?\s*(?:#.*)?$")


def _echoed_value(line: str, name: str) -> bool:
    """Whether ``line`` is the ``value:`` of a YAML ``- name: NAME`` entry that only passes on
    the host's variable of the same name (``value: ${NAME}``, filled by envsubst): the ``name:``
    line's finding covers it."""
    return re.match(rf"^\s*value\s*:\s*([\"']?)\$(?:\{{{name}\}}|{name}\b)\1\s*(?:#.*)?$", line) is not None


def new_class_path(match: re.Match) -> Optional[str]:
    """The 1.0 dotted path for an old storage/executor class path, or None if there is none."""
    name = match.group("name")
    if match.group("family") == "environments.storage":
        return f"prefect.storage.{name}" if name in _STORAGE_NAMES else None
    return f"prefect.executors.{name}" if name in _EXECUTOR_NAMES else None


@register
class SettingsEnvVars(TextCodemod):
    """Prefect settings in env vars and config files that Prefect 1.0 ignores or misreads.

    - ``PREFECT__LOGGING__LOG_TO_CLOUD`` -> ``PREFECT__CLOUD__SEND_FLOW_RUN_LOGS`` (same boolean;
      a whole identifier only). A line that already names the new variable is left alone and
      reported, so that no setting is duplicated.
    - ``default_class`` values (``PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS``,
      ``PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS``, ``default_class = ...`` in TOML, the
      ``value:`` after such a ``name:`` in YAML): ``prefect.environments.storage.X`` ->
      ``prefect.storage.X``, ``prefect.engine.executors.X`` -> ``prefect.executors.X``. Only on
      lines about a ``default_class``; other text (and Python code blocks) is left to the Python
      codemods.
    - ``PREFECT__CLOUD__AUTH_TOKEN`` / ``PREFECT__CLOUD__AGENT__AUTH_TOKEN``: manual (the value
      goes to ``PREFECT__CLOUD__API_KEY``: as it is when it already is an API key, which 0.15
      accepted there, or as a new API key when it is a token; the tool cannot tell which).
      Reported once a line, at its first mention; where the text also names
      ``PREFECT__CLOUD__API_KEY`` (a 0.15 agent manifest sets both), the finding says to remove the
      old setting once the API key is there, rather than to set the key. A Kubernetes
      ``value: ${NAME}`` under ``- name: NAME`` (envsubst passing the host's variable on) is
      covered by the ``name:`` line's finding.

    Before::

        export PREFECT__LOGGING__LOG_TO_CLOUD=true
        export PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS=prefect.environments.storage.S3

    After::

        export PREFECT__CLOUD__SEND_FLOW_RUN_LOGS=true
        export PREFECT__FLOWS__DEFAULTS__STORAGE__DEFAULT_CLASS=prefect.storage.S3
    """

    code = "PFU410"
    summary = "Prefect settings env vars: LOG_TO_CLOUD renamed, auth tokens, default_class paths"
    fix_class = FixClass.SAFE
    extra_codes = {
        "PFU412": "PREFECT__CLOUD__AUTH_TOKEN / PREFECT__CLOUD__AGENT__AUTH_TOKEN are ignored: use an API key",
        "PFU413": "default_class settings naming prefect.environments.storage / prefect.engine.executors",
    }
    code_classes = {"PFU412": FixClass.MANUAL}
    file_kinds = SETTING_KINDS
    markers = ("LOG_TO_CLOUD", "AUTH_TOKEN", "prefect.environments.storage", "prefect.engine.executors")
    examples = (
        Example("export PREFECT__CLOUD__SEND_FLOW_RUN_LOGS=true\n", kind="shell"),
        Example("export MY_PREFECT__LOGGING__LOG_TO_CLOUD_X=true\n", kind="shell"),
        Example("export PREFECT__LOGGING__LOG_TO_CLOUD=true\n", "export PREFECT__CLOUD__SEND_FLOW_RUN_LOGS=true\n",
                kind="shell"),
        Example(
            "ENV PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS=prefect.engine.executors.DaskExecutor\n",
            "ENV PREFECT__ENGINE__EXECUTOR__DEFAULT_CLASS=prefect.executors.DaskExecutor\n",
            kind="dockerfile",
        ),
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        lines = text.splitlines(keepends=True)
        names_api_key = bool(_API_KEY.search(text))
        out = []
        default_class_line = False
        named = None  # the token setting a YAML `- name:` line just named
        for number, line in enumerate(lines, start=1):
            echo = kind == "yaml" and named is not None and _echoed_value(line, named)
            out.append(line if echo else self._line(line, number, kind, default_class_line, names_api_key))
            default_class_line = bool(_DEFAULT_CLASS.search(line)) and kind == "yaml"
            name_line = _YAML_NAME.match(line) if kind == "yaml" else None
            named = name_line.group("name") if name_line and name_line.group("name") in TOKEN_VARS else None
        return "".join(out)

    def _line(self, line: str, number: int, kind: str, after_default_class: bool, names_api_key: bool = False) -> str:
        for name, pattern in _TOKENS:
            for match in pattern.finditer(line):
                if _secret_name(line, match):
                    continue
                if names_api_key:
                    # a 0.15 `prefect agent kubernetes install -k KEY` manifest sets both
                    message = (f"Prefect 1.0 ignores {name}, and PREFECT__CLOUD__API_KEY (which 1.0 reads) is set "
                               f"here too: remove {name} once PREFECT__CLOUD__API_KEY holds the API key (a token is "
                               "not one: create a key with `prefect auth create-key -n NAME`)")
                else:
                    # 0.15 also took an API key here: "remove it" would drop a working credential.
                    message = (f"Prefect 1.0 ignores {name}: set PREFECT__CLOUD__API_KEY instead (a value that "
                               "already is an API key moves as it is; a token must be replaced by a new API key from "
                               "`prefect auth create-key -n NAME`), with PREFECT__CLOUD__TENANT_ID if needed")
                self.report(number, match.start() + 1, message, applied=False, fix_class=FixClass.MANUAL,
                            code="PFU412")
                break  # one finding a line: `echo "X is set to ${X}"` is one place to edit, not two
        settings = [match for match in _OLD_LOG.finditer(line) if not _secret_name(line, match)]
        if settings:
            if NEW_LOG_VAR in line:
                self.report(number, settings[0].start() + 1, f"Prefect 1.0 ignores {OLD_LOG_VAR} and this line "
                            f"also names {NEW_LOG_VAR}: remove the old one", applied=False, fix_class=FixClass.MANUAL)
            else:
                for match in settings:
                    self.report(number, match.start() + 1, f"{OLD_LOG_VAR} -> {NEW_LOG_VAR} (Prefect 1.0 ignores "
                                "the old name)", applied=True)
                line = _OLD_LOG.sub(lambda m: m.group(0) if _secret_name(line, m) else NEW_LOG_VAR, line)
        if _DEFAULT_CLASS.search(line) or (after_default_class and _YAML_VALUE.match(line)):
            line = self._class_paths(line, number)
        return line

    def _class_paths(self, line: str, number: int) -> str:
        def replace(match: re.Match) -> str:
            new = new_class_path(match)
            if new is None:
                hint = ("prefect.executors.LocalExecutor (or LocalDaskExecutor)"
                        if match.group("name") == "SynchronousExecutor" else "a class of prefect.storage / "
                        "prefect.executors")
                self.report(number, match.start() + 1, f"`{match.group(0)}` does not exist in Prefect 1.0: "
                            f"name {hint}", applied=False, fix_class=FixClass.MANUAL, code="PFU413")
                return match.group(0)
            self.report(number, match.start() + 1, f"`{match.group(0)}` -> `{new}`", applied=True, code="PFU413")
            return new

        return _CLASS_PATH.sub(replace, line)


# --------------------------------------------------------------------------------------------
# config.toml


_HEADER = re.compile(r"^\s*\[\s*(?P<name>[A-Za-z0-9_.\-\s\"']+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z0-9_\-]+)(?P<eq>\s*=\s*)(?P<rest>.*)$", re.DOTALL)
_DOTTED_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)+)(?P<eq>\s*=\s*)(?P<rest>.*)$",
                         re.DOTALL)


def _table_of(lines: list[str]) -> list[Optional[str]]:
    """For each line, the name of the table it is in (None before the first header; headers
    belong to their own table)."""
    tables: list[Optional[str]] = []
    current: Optional[str] = ""
    for line in lines:
        header = _HEADER.match(line) if not line.lstrip().startswith("[[") else None
        if header:
            current = re.sub(r"\s+", "", header.group("name"))
        elif line.lstrip().startswith("[["):
            current = None
        tables.append(current)
    return tables


def _parses(text: str) -> bool:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python < 3.11
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return True
    try:
        tomllib.loads(text)
    except Exception:  # noqa: BLE001 - any parse error
        return False
    return True


@register
class ConfigTomlKeys(TextCodemod):
    """Prefect ``config.toml`` keys that Prefect 1.0 ignores.

    ``[logging] log_to_cloud`` moves to ``[cloud] send_flow_run_logs`` (the ``[cloud]`` table is
    created after ``[logging]`` when missing; comments on and above the key move with it; a
    top-level ``logging.log_to_cloud = ...`` becomes ``cloud.send_flow_run_logs = ...``). When
    ``[cloud]`` already has ``send_flow_run_logs`` nothing moves and the old key is reported.
    ``[cloud] auth_token`` and ``[cloud.agent] auth_token`` are reported (manual: a new API key
    is needed, ``[cloud] api_key``). Only tables named exactly like Prefect's are touched, so a
    ``pyproject.toml`` is left alone. A result that would not parse is not written.

    Before::

        [logging]
        level = "INFO"
        log_to_cloud = true

    After::

        [logging]
        level = "INFO"

        [cloud]
        send_flow_run_logs = true
    """

    code = "PFU411"
    summary = "config.toml: [logging] log_to_cloud -> [cloud] send_flow_run_logs; auth_token keys"
    fix_class = FixClass.SAFE
    extra_codes = {"PFU414": "config.toml [cloud] auth_token / [cloud.agent] auth_token are ignored: use api_key"}
    code_classes = {"PFU414": FixClass.MANUAL}
    file_kinds = frozenset({"toml"})
    markers = ("log_to_cloud", "auth_token")
    examples = (
        Example('[tool.black]\nline-length = 100\n', kind="toml"),
        Example('[cloud]\nsend_flow_run_logs = true\n', kind="toml"),
        Example(
            '[logging]\nlevel = "INFO"\nlog_to_cloud = true\n',
            '[logging]\nlevel = "INFO"\n\n[cloud]\nsend_flow_run_logs = true\n',
            kind="toml",
        ),
        Example(
            '[logging]\nlog_to_cloud = false  # quiet\n\n[cloud]\napi = "https://api.prefect.io"\n',
            '[logging]\n\n[cloud]\napi = "https://api.prefect.io"\nsend_flow_run_logs = false  # quiet\n',
            kind="toml",
        ),
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        lines = text.splitlines(keepends=True)
        tables = _table_of(lines)
        new_lines = self._log_to_cloud(lines, tables)
        new_text = text if new_lines is None else "".join(new_lines)
        if new_text != text and _parses(text) and not _parses(new_text):
            self.reporter.findings.clear()
            self.report(1, 1, "could not move log_to_cloud to [cloud] send_flow_run_logs without breaking this "
                        "TOML: move it by hand", applied=False, fix_class=FixClass.MANUAL)
            new_text = text
        lines = new_text.splitlines(keepends=True)
        self._auth_tokens(lines, _table_of(lines))
        return new_text

    def _auth_tokens(self, lines: list[str], tables: list[Optional[str]]) -> None:
        for number, (line, table) in enumerate(zip(lines, tables), start=1):
            key = _KEY.match(line)
            dotted = _DOTTED_KEY.match(line)
            full = None
            if key and table in ("cloud", "cloud.agent") and key.group("key") == "auth_token":
                full = f"{table}.auth_token"
            elif dotted and table == "":
                name = re.sub(r"\s+", "", dotted.group("key"))
                if name in ("cloud.auth_token", "cloud.agent.auth_token"):
                    full = name
            if full:
                self.report(number, len(line) - len(line.lstrip()) + 1,
                            f"Prefect 1.0 ignores `{full}`: set `api_key` in [cloud] (or PREFECT__CLOUD__API_KEY) "
                            "instead (a value that already is an API key moves as it is; a token must be replaced "
                            "by a new API key from `prefect auth create-key -n NAME`)", applied=False,
                            fix_class=FixClass.MANUAL,
                            code="PFU414")

    def _log_to_cloud(self, lines: list[str], tables: list[Optional[str]]) -> Optional[list[str]]:
        found = None
        for index, (line, table) in enumerate(zip(lines, tables)):
            key = _KEY.match(line)
            if key and table == "logging" and key.group("key") == "log_to_cloud":
                found = ("table", index, key)
                break
            dotted = _DOTTED_KEY.match(line)
            if dotted and table == "" and re.sub(r"\s+", "", dotted.group("key")) == "logging.log_to_cloud":
                found = ("dotted", index, dotted)
                break
        if found is None:
            return None
        form, index, match = found
        existing = [
            i for i, (line, table) in enumerate(zip(lines, tables))
            if (table == "cloud" and (k := _KEY.match(line)) and k.group("key") == "send_flow_run_logs")
            or (table == "" and (d := _DOTTED_KEY.match(line))
                and re.sub(r"\s+", "", d.group("key")) == "cloud.send_flow_run_logs")
        ]
        if existing:
            self.report(index + 1, 1, "Prefect 1.0 ignores `logging.log_to_cloud` and [cloud] already sets "
                        "send_flow_run_logs: remove the old key", applied=False, fix_class=FixClass.MANUAL)
            return None
        new = list(lines)
        if form == "dotted":
            new[index] = f"{match.group('indent')}cloud.send_flow_run_logs{match.group('eq')}{match.group('rest')}"
            self.report(index + 1, 1, "`logging.log_to_cloud` -> `cloud.send_flow_run_logs` (Prefect 1.0 ignores "
                        "the old key)", applied=True)
            return new
        # the comment lines right above the key go with it
        first = index
        while first > 0 and lines[first - 1].strip().startswith("#") and tables[first - 1] == "logging" \
                and not _HEADER.match(lines[first - 1]):
            first -= 1
        moved = lines[first:index] + [
            f"{match.group('indent')}send_flow_run_logs{match.group('eq')}{match.group('rest')}"
        ]
        if not moved[-1].endswith("\n"):
            moved[-1] += "\n"
        last = index
        if 0 < first and last + 1 < len(lines) and not lines[first - 1].strip() and not lines[last + 1].strip():
            last += 1  # no double blank line where the key was
        del new[first : last + 1]
        new_tables = tables[:first] + tables[last + 1 :]
        cloud = [i for i, table in enumerate(new_tables) if table == "cloud"]
        if cloud:
            end = cloud[-1] + 1
            while end - 1 > cloud[0] and not new[end - 1].strip():
                end -= 1  # before the blank lines that end the table
            if end > 0 and not new[end - 1].endswith("\n"):
                new[end - 1] += "\n"
            if len(moved) > 1 and new[end - 1].strip() and not _HEADER.match(new[end - 1]):
                moved = ["\n", *moved]  # a commented key gets a blank line before it, as it had
            new[end:end] = moved
            where = end + (1 if moved[0] == "\n" else 0)
        else:
            logging_lines = [i for i, table in enumerate(new_tables) if table == "logging"]
            end = logging_lines[-1] + 1
            while end - 1 > logging_lines[0] and not new[end - 1].strip():
                end -= 1
            if end > 0 and not new[end - 1].endswith("\n"):
                new[end - 1] += "\n"
            block = ["\n", "[cloud]\n", *moved]
            if end < len(new) and new[end].strip():
                block.append("\n")
            new[end:end] = block
            where = end + 2
        self.report(where + (index - first) + 1, 1, "[logging] log_to_cloud -> [cloud] send_flow_run_logs "
                    "(Prefect 1.0 ignores the old key)", applied=True)
        return new
