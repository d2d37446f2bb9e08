"""Kinds rewritten as a whole text, with a check that the result still reads.

- ``shell`` (``.sh``, ``.bash``, shebang scripts): the whole text is shell, so shell codemods
  take it whole (as any codemod of the kind). ``verify``: when ``bash`` is installed and
  ``bash -n`` accepts the original, it must accept the result.
- ``toml``: see ``toml.py``; ``verify_toml`` checks that the result still parses (``tomllib``, or
  ``tomli`` when installed) when the original did.
- ``dotenv`` and ``requirements`` are plain ``TextRewriter`` kinds (no syntax to check).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Optional

from prefect_upgrade.rewriters import SourceError
from prefect_upgrade.rewriters.text import TextRewriter


def _bash_accepts(text: str) -> Optional[bool]:
    """Whether ``bash -n`` accepts ``text``; None when that cannot be told."""
    bash = shutil.which("bash")
    if bash is None:
        return None
    try:
        completed = subprocess.run(
            [bash, "-n"], input=text.encode("utf-8", "surrogateescape"), capture_output=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.returncode == 0


class ShellRewriter(TextRewriter):
    def __init__(self) -> None:
        super().__init__("shell")

    def verify(self, original: str, rewritten: str, path: str) -> None:
        if _bash_accepts(original) and _bash_accepts(rewritten) is False:
            raise SourceError("the rewritten script fails `bash -n`; nothing was written (please report this)")


def _toml_loads():
    try:
        import tomllib  # type: ignore[import-not-found]

        return tomllib.loads
    except ImportError:  # Python < 3.11
        try:
            import tomli  # type: ignore[import-not-found]

            return tomli.loads
        except ImportError:
            return None


def verify_toml(original: str, rewritten: str) -> None:
    """Raise ``SourceError`` when ``rewritten`` is not TOML although ``original`` was."""
    loads = _toml_loads()
    if loads is None:
        return
    try:
        loads(original)
    except Exception:
        return
    try:
        loads(rewritten)
    except Exception as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SourceError(f"the rewritten TOML does not parse ({message}); nothing was written (please report this)")
