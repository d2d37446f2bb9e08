"""Real Prefect installs for the ``real_prefect`` test tier.

Each version gets its own virtual environment under ``.prefect-venvs/`` (git-ignored), created
once with the pins the spec gives (§1) and reused by later runs. A lock file keeps two test
processes from building the same venv at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("PREFECT_UPGRADE_VENVS", ROOT / ".prefect-venvs"))

_COMMON = ["marshmallow<3.18", "pendulum<3", "mypy_extensions<1"]
PINS = {
    "0.13.19": ["prefect==0.13.19", *_COMMON, "urllib3<2"],
    "0.14.22": ["prefect==0.14.22", *_COMMON, "urllib3<2"],
    "0.15.13": ["prefect==0.15.13", *_COMMON],
    "1.0.0": ["prefect==1.0.0", *_COMMON],
}


def prefect_python(version: str, extra: tuple[str, ...] = ()) -> Path:
    """The python executable of a venv with Prefect ``version`` (and ``extra`` packages)."""
    requirements = PINS[version] + list(extra)
    name = version + ("-" + "-".join(sorted(e.split("=")[0].split("<")[0] for e in extra)) if extra else "")
    folder = VENVS / name
    python = folder / "bin" / "python"
    stamp = folder / ".requirements.json"
    VENVS.mkdir(parents=True, exist_ok=True)
    with open(VENVS / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and json.loads(stamp.read_text()) == requirements:
            return python
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
            check=True,
        )
        stamp.write_text(json.dumps(requirements))
    return python


def run_python(version: str, code: str, cwd: Path, extra: tuple[str, ...] = (), timeout: int = 300):
    """Run ``code`` with Prefect ``version``; returns the CompletedProcess (text mode)."""
    python = prefect_python(version, extra)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PREFECT__"))}
    env["PREFECT__BACKEND"] = "server"
    env["HOME"] = str(cwd)  # Prefect writes ~/.prefect; keep it inside the test's folder
    return subprocess.run(
        [str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


if __name__ == "__main__":  # pre-build the venvs: python tests/real_prefect.py 1.0.0 0.15.13
    for wanted in sys.argv[1:] or list(PINS):
        print(prefect_python(wanted))
