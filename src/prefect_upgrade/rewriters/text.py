"""Files that are not Python: the text is the state, and each text codemod rewrites it whole.

This is the plain rewriter every non-Python kind starts from; kinds that hold shell commands or
code blocks (YAML, Dockerfiles, Markdown, notebooks ...) get their own rewriter built on it.
"""

from __future__ import annotations

from prefect_upgrade.codemods.base import Codemod, CodemodOptions, TextCodemod
from prefect_upgrade.findings import Reporter
from prefect_upgrade.rewriters import Rewriter


class TextRewriter(Rewriter):
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def handles(self, codemod: type[Codemod]) -> bool:
        return issubclass(codemod, TextCodemod) and self.kind in codemod.file_kinds

    def parse(self, text: str, path: str) -> str:
        return text

    def apply(
        self, state: str, codemod: type[Codemod], options: CodemodOptions, reporter: Reporter, path: str
    ) -> str:
        assert issubclass(codemod, TextCodemod)
        return codemod(options, reporter).rewrite_text(state, self.kind)

    def render(self, state: str) -> str:
        return state
