"""PFU504: ``prefect server start`` reached from another host, without ``--expose`` (manual)."""

from __future__ import annotations

import re
from typing import Optional

from prefect_upgrade.codemods import register
from prefect_upgrade.codemods._pins import line_col
from prefect_upgrade.codemods.base import Example, TextCodemod
from prefect_upgrade.findings import FixClass

_SEP = r"""["']?\s*,?\s*["']?"""
_START = re.compile(rf"""\bprefect{_SEP}server{_SEP}(?:start|up|config)\b""")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "ip6-localhost"}
_URL = re.compile(r"""\b(?:https?|wss?)://(?P<host>\[[^\]]+\]|[^/:\s"'`$}{)]+)""", re.IGNORECASE)
#: Lines whose URL is an address the server's clients use (agents, UI, API settings).
_ADDRESS_CONTEXT = re.compile(
    r"(?:apollo[_-]?url|graphql[_-]?url|endpoint|--api|api[_-]?url|\bapi|server[_-]+host|"
    r"ui[_-]?url|PREFECT__[A-Z_]+)[\"']?\s*[:=]?\s*[\"']?$",
    re.IGNORECASE,
)
_ALL_INTERFACES = re.compile(r"(?<![\d.])0\.0\.0\.0(?![\d.])")
_PUBLISH = re.compile(
    r"""(?:\s-p\s*|--publish[=\s]\s*)["']?(?!127\.)(?:[\d.]+:)?(?:4200|4201|8080|3000|5432)(?::\d+)?\b"""
    r"""|^\s*-\s*["']?(?!127\.)(?:[\d.]+:)?(?:4200|8080|3000|4201)\s*:\s*(?:4200|8080|3000|4201)["']?\s*$"""
    r"""|^\s*published\s*:\s*["']?(?:4200|8080|3000|4201)""",
    re.MULTILINE,
)
_ALREADY = re.compile(r"--expose\b|HOST_IP|host_ip", re.IGNORECASE)
#: Options that only Prefect 2/3's ``prefect server start`` has (1.x has none of them).
_PREFECT2_OPTIONS = re.compile(r"""[^\n]*?(?:--host\b|--port\b|--background\b|--no-services\b|--analytics)""")
#: Settings and commands of Prefect 2/3: such a file is not about Prefect 1's server.
_PREFECT2_FILE = re.compile(
    r"PREFECT_API_URL|PREFECT_UI_URL|PREFECT_UI_API_URL|PREFECT_SERVER_API_HOST|"
    r"\bprefect\s+(?:worker|work-pool|deploy\b|deployment\s+build|orion\b)"
)


@register
class ServerExpose(TextCodemod):
    """Prefect Server started without ``--expose`` but reached from another host (manual).

    In Prefect 1.0 the services that ``prefect server start`` runs listen on localhost only
    (``server.host_ip = "127.0.0.1"``); 0.14 listened on every interface. A ``prefect server
    start`` or ``prefect server config`` (also in the Dockerfile/compose exec form
    ``["prefect", "server", "start"]``) is reported
    when nothing in the same file says ``--expose`` or sets ``host_ip``/``…HOST_IP``, and the file
    shows that the services are reached from elsewhere:

    - an agent, UI or API setting pointed at a non-local address (``--api http://10.0.0.5:4200``,
      ``PREFECT__SERVER__ENDPOINT=http://prefect.internal:4200``, ``apollo_url``);
    - ``0.0.0.0``;
    - a published port of the server (``-p 4200:4200``, compose ``ports: - "8080:8080"``).

    Prefect 2/3's own ``prefect server start`` is not this command: one with ``--host``,
    ``--port``, ``--background`` or ``--no-services``, or any in a file that uses Prefect 2/3
    settings (``PREFECT_API_URL`` ...) or commands (``prefect worker``, ``prefect deploy``), is
    left alone. Ports published on ``127.x`` only do not count.

    The change came with 0.15.5 (changelog: "Add ``--expose`` flag to ``prefect server``",
    #4821; 0.15.13's ``config.toml`` already has ``host_ip = "127.0.0.1"``), so code that ran on
    0.15.5+ already behaves this way. A source version says only "0.15", not the patch, so the
    finding is reported for every source version.

    Nothing is rewritten: exposing a server is a security decision. A bare ``prefect server
    start`` with no sign of remote clients is not reported. Low severity: the server still runs,
    remote clients just cannot connect.

    Before::

        prefect server start --detach
        prefect agent local start --api http://10.0.0.5:4200

    After (unchanged, reported)::

        prefect server start --detach          # PFU504: add --expose
    """

    code = "PFU504"
    summary = "Prefect Server listens on localhost in 1.0: add --expose when remote hosts connect"
    fix_class = FixClass.MANUAL
    file_kinds = frozenset({"shell", "yaml", "dockerfile", "makefile"})
    markers = ("server",)
    examples = (
        Example("prefect server start\nprefect agent local start --api http://localhost:4200\n", kind="shell"),
        Example("prefect server start --expose\nprefect agent local start --api http://10.0.0.5:4200\n", kind="shell"),
        Example("prefect server start\nprefect agent local start --api http://10.0.0.5:4200\n", "prefect server start\nprefect agent local start --api http://10.0.0.5:4200\n", kind="shell"),  # reported (a manual finding): after == before
    )

    def rewrite_text(self, text: str, kind: str) -> str:
        starts = [m for m in _START.finditer(text) if not _PREFECT2_OPTIONS.match(text, m.end())]
        if not starts or _ALREADY.search(text) or _PREFECT2_FILE.search(text):
            return text
        evidence = self._evidence(text)
        if evidence is None:
            return text
        for match in starts:
            line, col = line_col(text, match.start())
            self.report(
                line,
                col,
                "Prefect 1.0's server listens on localhost only, and this file reaches it from "
                f"another host ({evidence}): add --expose (prefect server start --expose, or "
                "prefect server config --expose)",
                applied=False,
            )
        return text

    @staticmethod
    def _evidence(text: str) -> Optional[str]:
        for line in text.splitlines():
            for url in _URL.finditer(line):
                host = url.group("host").lower()
                if host in _LOCAL_HOSTS or host.startswith("127."):
                    continue
                if _ADDRESS_CONTEXT.search(line[: url.start()]):
                    return url.group(0)
        found = _ALL_INTERFACES.search(text)
        if found:
            return "0.0.0.0"
        published = _PUBLISH.search(text)
        if published:
            return "published port " + published.group(0).strip().lstrip("-").strip()
        return None
