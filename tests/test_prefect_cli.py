"""The prefect CLI and settings codemods (PFU401–PFU414): shell words, commands, settings."""

from __future__ import annotations

import pytest

from casefiles import assert_idempotent, fixture_cases, render_case, upgrade
from prefect_upgrade.codemods.base import CodemodOptions
from prefect_upgrade.codemods.prefect_cli import Arg, key_values, prefect_index, rewrite_shell, transform_argv
from prefect_upgrade.codemods.shell_words import split_commands
from prefect_upgrade.discovery import kind_of

COMMAND_CODES = ("PFU401", "PFU402", "PFU403", "PFU404", "PFU405")
UNSAFE = CodemodOptions(unsafe_fixes=True)


def fixture_options(path) -> CodemodOptions:
    return UNSAFE if "unsafe" in path.name else CodemodOptions()


# ---------------------------------------------------------------------------------------------
# the word splitter


def test_words_keep_their_spans_and_values():
    text = (
        'A=1 prefect register flow --file "$DIR/f.py" -p ${{ secrets.P }} \\\n'
        "  --label 'a b' && echo ok | tee x > out.log 2>&1; cat <<EOF\nprefect run flow\nEOF\n"
        "x=$(prefect run flow --name \"n\") # prefect agent start\n"
    )
    commands = split_commands(text)
    for command in commands:
        for word in command.words:
            assert text[word.start : word.end] == word.raw
    words = [[(w.raw, w.value) for w in c.words] for c in commands]
    assert words[0] == [
        ("A=1", "A=1"), ("prefect", "prefect"), ("register", "register"), ("flow", "flow"),
        ("--file", "--file"), ('"$DIR/f.py"', None), ("-p", "-p"), ("${{ secrets.P }}", None),
        ("--label", "--label"), ("'a b'", "a b"),
    ]
    assert words[1] == [("echo", "echo"), ("ok", "ok")]
    assert words[2] == [("tee", "tee"), ("x", "x")]  # redirections are not words
    assert words[3] == [("cat", "cat")]  # the heredoc body is skipped
    assert words[4] == [('x=$(prefect run flow --name "n")', None)]  # $(...) is one opaque word
    # ... and the command inside it is found too, at its place in the text
    assert words[5] == [("prefect", "prefect"), ("run", "run"), ("flow", "flow"), ("--name", "--name"), ('"n"', "n")]
    assert len(words) == 6


@pytest.mark.parametrize(
    "line, found",
    [
        ("prefect run flow", 0),
        ("sudo -u prefect -E prefect run flow", 4),
        ("env -i A=1 B=2 prefect run flow", 4),
        ("poetry run prefect run flow", 2),
        ("conda run -n etl prefect run flow", 4),
        ("python3.8 -m prefect run flow", 2),
        ("/opt/venv/bin/prefect run flow", 0),
        ("then prefect run flow", 1),
        ("xargs -I{} -P 4 prefect register flow -f {}", 4),
        ("!prefect run flow --name {name}", 0),
        ("echo prefect run flow", None),
        ("python -m pip install prefect", None),
        ("'prefect run flow'", None),
    ],
)
def test_prefect_is_found_behind_wrappers(line, found):
    (command,) = split_commands(line)
    assert prefect_index(command.words) == found


# ---------------------------------------------------------------------------------------------
# the pure transform


def argv(*words: str) -> list[Arg]:
    return [Arg(w, w) for w in ("prefect", *words)]


def test_transform_is_a_pure_function_of_words():
    t = transform_argv(argv("register", "flow", "-f", "x.py", "-p", "P"), CodemodOptions(), COMMAND_CODES)
    assert [(e.index, [getattr(w, "value", None) for w in e.words], e.insert_after) for e in t.edits] == [
        (2, [], False), (3, ["--path"], False), (5, ["--project"], False), (6, ["--force"], True),
    ]
    assert transform_argv(argv("register", "--path", "x"), CodemodOptions(), COMMAND_CODES).edits == []


def test_only_the_selected_families_are_rewritten():
    text = "prefect register flow -f x.py -p P\nprefect run flow --name n --project P\n"
    new, _ = rewrite_shell(text, CodemodOptions(), ("PFU402",))
    assert new == "prefect register flow -f x.py -p P\nprefect run --name n --project P\n"


@pytest.mark.parametrize(
    "json_text, pairs",
    [
        ('{"a": 1, "b": "x"}', ["a=1", "b=x"]),
        ('{"s": "1"}', ['s="1"']),  # a bare 1 would be read as a number
        ('{"s": "true", "n": null}', ['s="true"', "n=null"]),
        ('{"l": [1, "a"], "d": {"k": 2}}', ['l=[1,"a"]', 'd={"k":2}']),
        ('{"e": ""}', ['e=""']),
        ('{"q": "say \\"hi\\""}', ['q="say \\"hi\\""']),
        ("{}", []),
        ('{"u": "a=b"}', None),  # Prefect 1.0.0-1.2.0 splits on every "="
        ('{"a=b": 1}', None),
        ("[1, 2]", None),
        ("not json", None),
    ],
)
def test_json_to_key_values(json_text, pairs):
    assert key_values(json_text) == pairs


def test_key_values_read_back_as_prefect_1_reads_them():
    from prefect_upgrade.codemods.prefect_cli import _load_cli_value

    data = {"a": 1, "b": "x", "c": "1", "d": [1, {"e": None}], "f": "", "g": "two words", "h": False}
    for pair in key_values(__import__("json").dumps(data)):
        key, value = pair.split("=")
        assert _load_cli_value(value) == data[key]


# ---------------------------------------------------------------------------------------------
# stays / changes


STAYS = [
    "prefect register --project ETL --path flows/\n",
    "prefect run --name etl --project ETL --param a=1\n",
    "prefect server start\n",
    "prefect deployment build flows/etl.py:etl -n prod\n",
    "prefect deploy --all\n",
    "prefect worker start --pool p\n",
    "prefect agent start -q default\n",
    "prefect agent local start --key K\n",
    "echo 'prefect register flow -f x.py'\n",
    "# prefect run flow --name x\n",
    "prefect execute flow-run\n",
]


@pytest.mark.parametrize("text", STAYS)
def test_stays(text):
    result = upgrade(text, "shell", select=COMMAND_CODES)
    assert result.text == text
    assert result.findings == []


CHANGES = [
    ("prefect register flow -f x.py -p P\n", "prefect register --path x.py --project P --force\n"),
    ("prefect register flow --file=x.py --project=$P --skip-if-flow-metadata-unchanged\n",
     "prefect register --path=x.py --project=$P\n"),
    ("x && prefect run flow --name n -p P -w; y\n", "x && prefect run --name n --project P --watch --no-logs; y\n"),
    ("prefect run flow --name n --project P -ps '{\"a\": \"b c\"}'\n",
     "prefect run --name n --project P --param 'a=b c'\n"),
    ('prefect run flow --name n --project P -ps "{\\"a\\": \\"b c\\"}"\n',
     'prefect run --name n --project P --param "a=b c"\n'),
    ("prefect run flow --name n --project P -ps '{}'\n", "prefect run --name n --project P\n"),
    ("prefect agent start\n", "prefect agent local start\n"),
    ("prefect agent start fargate\n", None),
    ("prefect auth list-tokens | grep ci\n", "prefect auth list-keys | grep ci\n"),
    ("prefect execute cloud-flow\n", "prefect execute flow-run\n"),
]


@pytest.mark.parametrize("before, after", CHANGES)
def test_changes(before, after):
    result = upgrade(before, "shell", select=COMMAND_CODES)
    assert result.text == (after or before)
    assert result.findings, "every change (or refusal) is reported"
    assert_idempotent(result, "shell", select=COMMAND_CODES)


def test_continuation_lines_survive_a_deleted_option():
    before = "prefect register flow \\\n  --file x.py \\\n  --skip-if-flow-metadata-unchanged \\\n  --project P\n"
    result = upgrade(before, "shell", select=COMMAND_CODES)
    assert result.text == "prefect register \\\n  --path x.py \\\n  --project P\n"


def test_findings_point_into_the_rewritten_text():
    before = "echo start\nprefect run flow \\\n  --skip-me-not \\\n  --name n\n"
    result = upgrade(before, "shell", select=COMMAND_CODES)
    assert result.text == before  # an unknown option: not rewritten, reported
    (finding,) = result.findings
    assert (finding.line, finding.col, finding.fix_class.value) == (3, 3, "manual")
    before = "prefect run flow --name n \\\n  --watch \\\n  -v 3\n"
    result = upgrade(before, "shell", select=COMMAND_CODES)
    version = [f for f in result.findings if "latest version" in f.message]
    assert result.text.splitlines()[version[0].line - 1].strip() == "-v 3"


def test_unsafe_fixes_rename_tokens_only_when_asked():
    text = 'prefect agent local start -t "$T"\n'
    assert upgrade(text, "shell", select=COMMAND_CODES).text == text
    unsafe = upgrade(text, "shell", select=COMMAND_CODES, options=UNSAFE)
    assert unsafe.text == 'prefect agent local start --key "$T"\n'
    assert [f.fix_class.value for f in unsafe.findings] == ["unsafe"] and unsafe.findings[0].applied


@pytest.mark.parametrize(
    "before, after, said",
    [
        ("prefect agent start -t TOKEN\n", "prefect agent local start -t TOKEN\n",
         "`prefect agent start` -> `prefect agent local start` (without a type, 0.13/0.14 started a local agent)"),
        ("prefect agent start --label prod\n", "prefect agent local start --label prod\n",
         "`prefect agent start` -> `prefect agent local start` (without a type, 0.13/0.14 started a local agent)"),
        ("prefect agent start local -l prod\n", "prefect agent local start -l prod\n",
         "`prefect agent start local` -> `prefect agent local start`"),
        ("prefect agent start docker\n", "prefect agent docker start\n",
         "`prefect agent start docker` -> `prefect agent docker start`"),
    ],
)
def test_the_agent_message_quotes_the_command_as_written(before, after, said):
    result = upgrade(before, "shell", select=COMMAND_CODES)
    assert result.text == after
    messages = [f.message for f in result.findings if f.fix_class.value == "safe"]
    assert messages == [said]
    unsafe = [f.message for f in result.findings if f.fix_class.value == "unsafe"]
    assert all("prefect agent local start -t" in m for m in unsafe)  # the command the rewrite leaves


def test_leftover_old_options_stay_reported_after_a_rewrite():
    first = upgrade("prefect run flow --name n --project P --version 3\n", "shell", select=COMMAND_CODES)
    second = upgrade(first.text, "shell", select=COMMAND_CODES)
    assert second.text == first.text
    assert [f.fix_class.value for f in second.findings] == ["manual"]


# ---------------------------------------------------------------------------------------------
# snapshots over the fixtures


@pytest.mark.parametrize("path", fixture_cases("cli"), ids=lambda p: p.name)
def test_fixture(path, snapshot):
    text = path.read_text()
    kind = kind_of(path, sniff=False) or "shell"
    options = fixture_options(path)
    result = upgrade(text, kind, options=options)
    snapshot.assert_match(render_case(text, result), path.name + ".txt")
    assert_idempotent(result, kind, options=options)
    if path.name.startswith("untouched"):
        assert result.text == text


@pytest.mark.parametrize("path", [p for p in fixture_cases("cli") if p.suffix == ".toml"], ids=lambda p: p.name)
def test_config_toml_keeps_its_meaning(path):
    import tomllib

    text = path.read_text()
    result = upgrade(text, "toml")
    before, after = tomllib.loads(text), tomllib.loads(result.text)
    old = before.get("logging", {}).get("log_to_cloud")
    if old is not None and "send_flow_run_logs" not in before.get("cloud", {}):
        assert after["cloud"]["send_flow_run_logs"] is old
        assert "log_to_cloud" not in after.get("logging", {})
    # every other setting is as it was (class paths aside)
    strip = lambda d: {k: v for k, v in d.items() if k not in ("logging", "cloud", "flows", "engine", "tool")}  # noqa: E731
    assert strip(before) == strip(after)
    for table in ("cloud", "logging"):
        for key, value in before.get(table, {}).items():
            if key != "log_to_cloud":
                assert after[table][key] == value


def test_a_move_that_would_break_the_toml_is_not_made():
    text = 'cloud = { api = "x" }\n\n[logging]\nlog_to_cloud = true\n'
    result = upgrade(text, "toml", select=("PFU411",))
    assert result.text == text
    assert [f.fix_class.value for f in result.findings] == ["manual"]


def test_the_in_place_guard_refuses_a_wrong_result():
    from prefect_upgrade.codemods.prefect_cli import Span, _rewritten_in_place, edit_spans, expected_values

    text = "prefect register flow -f x.py -p P\n"
    (command,) = split_commands(text)
    args = [Arg(w.value, w.raw) for w in command.words]
    t = transform_argv(args, CodemodOptions(), COMMAND_CODES)
    spans = edit_spans(text, command.words, t)
    assert _rewritten_in_place(text, command.words, spans, expected_values(args, t))
    wrong = spans + [Span(len("prefect register flow -f x.py"), len("prefect register flow -f x.py"), " ;")]
    assert not _rewritten_in_place(text, command.words, sorted(wrong, key=lambda s: s.start), expected_values(args, t))


from hypothesis import given, settings, strategies as st  # noqa: E402

PIECES = ["prefect", "register", "flow", "run", "agent", "start", "docker", "-f", "-p", "--file", "x.py", "P",
          "--watch", "-ps", "'{\"a\": 1}'", '"$X"', "${{ s.T }}", "$(echo", ")", "`date`", "&&", "|", ";", "\\\n",
          "\n", "#", "<T>", "> out", "2>&1", "'", '"', "--skip-if-flow-metadata-unchanged", "sudo", "env", "A=1",
          "<<EOF\nprefect run flow\nEOF\n", "-t", "--token", "--no-docker-interface", "{", "}", "(", "=", "\\",
          "sh -c '", "bash -c \"", "-ps {\\\"l\\\":[1]}"]


@settings(max_examples=int(__import__("os").environ.get("CLI_FUZZ_EXAMPLES", "150")), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_any_shell_text_rewrites_without_error_and_idempotently(pieces):
    text = " ".join(pieces)
    options = CodemodOptions(unsafe_fixes=True)
    new, findings = rewrite_shell(text, options, COMMAND_CODES)
    again, _ = rewrite_shell(new, options, COMMAND_CODES)
    assert again == new
    if new != text:
        assert len(split_commands(new)) == len(split_commands(text))
        assert new.count("\n") <= text.count("\n")


def test_ci_secret_and_variable_names_are_neither_reported_nor_renamed():
    from prefect_upgrade.codemods import all_codemods
    from prefect_upgrade.runner import rewrite_text

    text = (
        "env:\n"
        "  PREFECT__CLOUD__AUTH_TOKEN: ${{ secrets.PREFECT__CLOUD__AUTH_TOKEN }}\n"
        "  PREFECT__LOGGING__LOG_TO_CLOUD: ${{ vars.PREFECT__LOGGING__LOG_TO_CLOUD }}\n"
    )
    result = rewrite_text(text, "yaml", all_codemods())
    # the setting is renamed, the key of the CI store (which Prefect never reads) is not
    assert "  PREFECT__CLOUD__SEND_FLOW_RUN_LOGS: ${{ vars.PREFECT__LOGGING__LOG_TO_CLOUD }}\n" in result.text
    assert [(f.line, f.col, f.code) for f in result.findings] == [(2, 3, "PFU412"), (3, 3, "PFU410")]


@pytest.mark.parametrize("name", ["PREFECT__CLOUD__AUTH_TOKEN", "PREFECT__CLOUD__AGENT__AUTH_TOKEN"])
def test_a_token_setting_is_not_to_be_removed_when_it_holds_an_api_key(name):
    # 0.15 took an API key in these settings too (READMEs said "set your new API Key on
    # PREFECT__CLOUD__AUTH_TOKEN"): the finding must lead to PREFECT__CLOUD__API_KEY, not to removal.
    text = f"export {name}=$MY_KEY\n"
    result = upgrade(text, "shell", select=("PFU412",))
    assert result.text == text
    (finding,) = result.findings
    assert finding.fix_class.value == "manual"
    assert "remove it" not in finding.message
    assert "set PREFECT__CLOUD__API_KEY instead" in finding.message
    assert "already is an API key moves as it is" in finding.message


def test_a_token_key_in_config_toml_is_not_to_be_recreated_when_it_holds_an_api_key():
    text = '[cloud]\nauth_token = "KEY"\n'
    result = upgrade(text, "toml", select=("PFU414",))
    (finding,) = result.findings
    assert "set `api_key` in [cloud]" in finding.message
    assert "already is an API key moves as it is" in finding.message


def test_the_run_message_says_what_became_of_the_json_options():
    result = upgrade("prefect run flow --name n --project P -ps '{\"a\": 1}' --context '{\"k\": \"v\"}'\n", "shell",
                     select=COMMAND_CODES)
    assert result.text == "prefect run --name n --project P --param a=1 --context k=v\n"
    (finding,) = result.findings
    assert "-ps JSON is one `--param key=value` per parameter" in finding.message
    assert "--context JSON is one `--context key=value` per key" in finding.message
    plain = upgrade("prefect run flow --name n --project P\n", "shell", select=COMMAND_CODES)
    assert "JSON" not in plain.findings[0].message


def test_findings_quote_the_file_not_the_placeholders_and_point_at_them():
    # a Helm template in an argument: the codemod saw ${PFU_EXPR_n}, the person must read the template
    line = "            - prefect agent start kubernetes -l a {{ .Values.extra }} -l b {{ .Values.more }}\n"
    text = "spec:\n  containers:\n    - args:\n" + line
    result = upgrade(text, "yaml", select=COMMAND_CODES)
    opaque = [f for f in result.findings if f.fix_class.value == "manual"]
    assert [f.message.split("`")[1] for f in opaque] == ["{{ .Values.extra }}", "{{ .Values.more }}"]
    assert not any("PFU_" in f.message for f in result.findings)
    rewritten = result.text.splitlines()[3]
    assert [rewritten[f.col - 1 :].split(" }}")[0] + " }}" for f in opaque] == [
        "{{ .Values.extra }}", "{{ .Values.more }}"
    ]
    # a Makefile reference, the same
    make = upgrade("run:\n\tprefect agent start local $(EXTRA_ARGS) -l x\n", "makefile", select=COMMAND_CODES)
    assert any(f.message.startswith("`$(EXTRA_ARGS)` is expanded at run time") for f in make.findings)
    assert not any("PFU_" in f.message for f in make.findings)
    # and a compose file's $$: the column of a finding after it is the file's
    compose = 'services:\n  a:\n    command: sh -c "prefect agent start $${T} --bogus"\n'
    (finding,) = upgrade(compose, "yaml", select=COMMAND_CODES).findings
    assert compose.splitlines()[2][finding.col - 1 :].startswith("--bogus")


def test_an_agent_type_that_kubernetes_expands_is_not_called_a_type_without_a_1_0_form():
    text = 'spec:\n  containers:\n    - command: ["prefect", "agent", "start", "$(AGENT_TYPE)", "-l", "x"]\n'
    result = upgrade(text, "yaml", select=COMMAND_CODES)
    assert result.text == text
    (finding,) = result.findings
    assert "the agent type `$(AGENT_TYPE)` is only known at run time" in finding.message
    assert "has no 1.0 form" not in finding.message
    # a literal type that 1.0 lacks still says so
    (finding,) = upgrade("prefect agent start nomad\n", "shell", select=COMMAND_CODES).findings
    assert "has no 1.0 form" in finding.message
