"""Small fake codemods for the rewriter tests (not registered): they make the tests independent of
the real CLI codemods, whose output may change."""

from __future__ import annotations

import re

import libcst as cst

from prefect_upgrade.codemods.base import PythonCodemod, TextCodemod
from prefect_upgrade.runner import rewrite_text

_REGISTER = re.compile(r"prefect register flow --file ")
_FARGATE = re.compile(r"prefect agent fargate start")


class FakeRegister(TextCodemod):
    """``prefect register flow --file X`` -> ``prefect register --path X`` in shell text."""

    code = "PFU498"
    summary = "fake shell codemod"
    file_kinds = frozenset({"shell"})
    markers = ("prefect register flow",)

    def rewrite_text(self, text: str, kind: str) -> str:
        assert kind == "shell"
        for match in _REGISTER.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            self.report(line, col, "register flow", applied=True)
        return _REGISTER.sub("prefect register --path ", text)


class FakeFargate(TextCodemod):
    """``prefect agent fargate start`` -> a comment line and ``prefect agent ecs start`` (adds a line)."""

    code = "PFU497"
    summary = "fake shell codemod that adds a line"
    file_kinds = frozenset({"shell"})
    markers = ("fargate",)

    def rewrite_text(self, text: str, kind: str) -> str:
        out = []
        for number, line in enumerate(text.split("\n"), 1):
            match = _FARGATE.search(line)
            if match:
                self.report(number, match.start() + 1, "fargate", applied=True)
                indent = line[: len(line) - len(line.lstrip())]
                out.append(f"{indent}# was: fargate")
                line = line.replace("prefect agent fargate start", "prefect agent ecs start")
            out.append(line)
        return "\n".join(out)


class FakeEnvName(TextCodemod):
    """A whole-file rename of an environment variable (kinds that hold settings)."""

    code = "PFU496"
    summary = "fake whole-file codemod"
    file_kinds = frozenset({"yaml", "dockerfile", "dotenv", "makefile", "ini", "toml", "markdown", "rst", "shell"})
    markers = ("LOG_TO_CLOUD",)

    def rewrite_text(self, text: str, kind: str) -> str:
        for number, line in enumerate(text.split("\n"), 1):
            col = line.find("PREFECT__LOGGING__LOG_TO_CLOUD")
            if col >= 0:
                self.report(number, col + 1, "env", applied=True)
        return text.replace("PREFECT__LOGGING__LOG_TO_CLOUD", "PREFECT__CLOUD__SEND_FLOW_RUN_LOGS")


class FakeExecutors(PythonCodemod):
    """``from prefect.engine.executors import X`` -> ``from prefect.executors import X``."""

    code = "PFU495"
    summary = "fake python codemod"
    markers = ("executors",)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if updated.module is not None and cst.Module([]).code_for_node(updated.module) == "prefect.engine.executors":
            self.report(original, "moved", applied=True)
            return updated.with_changes(module=cst.parse_expression("prefect.executors"))
        return updated


class FakeAddLine(PythonCodemod):
    """Adds a comment line above every ``flow.run()`` call statement (changes line numbers)."""

    code = "PFU494"
    summary = "fake python codemod that adds a line"
    markers = ("run(",)

    already = False

    def visit_Module(self, node: cst.Module) -> None:
        self.already = "# ran" in node.code  # idempotent, as a codemod must be

    def leave_SimpleStatementLine(self, original, updated):
        code = cst.Module([]).code_for_node(original).strip()
        if code == "flow.run()" and not self.already:
            self.report(original, "run", applied=True)
            comment = cst.EmptyLine(comment=cst.Comment("# ran"))
            return updated.with_changes(leading_lines=[*updated.leading_lines, comment])
        return updated


ALL = [FakeEnvName, FakeExecutors, FakeAddLine, FakeFargate, FakeRegister]


def run(text: str, kind: str, codemods=None):
    return rewrite_text(text, kind, codemods or ALL)


def findings(result) -> list[tuple[int, int, str]]:
    return [(f.line, f.col, f.code) for f in result.findings]
