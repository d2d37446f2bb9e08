"""Build the benchmark corpora under ``benchmarks/.corpus/`` (git-ignored), without network.

- ``mixed``: the running interpreter's standard library ``.py`` files (tests and site-packages
  left out, capped at ``STDLIB_LINES`` lines), with generated Prefect-dense files sprinkled into
  its folders, and some YAML, shell and Markdown files (most of them without Prefect).
- ``dense``: generated Prefect-dense files only (flows written for Prefect 0.15: executors,
  environments, storage, result handlers, schedules, the token-era client, agents ...).

The generator is ours and seeded: the same version of this file builds the same corpus.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sysconfig
from pathlib import Path

GENERATOR_VERSION = "4"
STDLIB_LINES = 250_000
HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".corpus"

_SKIP_DIRS = {"site-packages", "test", "tests", "idle_test", "__pycache__", "dist-packages"}

# -- Prefect-dense Python ---------------------------------------------------------------------

_IMPORTS = [
    "from prefect.engine.executors import DaskExecutor, LocalDaskExecutor",
    "from prefect.engine.executors import LocalExecutor",
    "from prefect.environments import LocalEnvironment",
    "from prefect.environments import KubernetesJobEnvironment",
    "from prefect.environments import DaskKubernetesEnvironment",
    "from prefect.environments import FargateTaskEnvironment",
    "from prefect.environments.storage import Docker",
    "from prefect.environments.storage import GitHub, S3",
    "from prefect.engine.result_handlers import LocalResultHandler",
    "from prefect.schedules import IntervalSchedule",
    "from prefect.tasks.shell import ShellTask",
    "from prefect.engine import signals",
    "from prefect.utilities.exceptions import PrefectError",
    "import prefect.engine.executors as executors",
]

_HEADER = '''"""{title}: a flow written for Prefect 0.15 (generated for the benchmark)."""

import datetime
import json
import logging
import os

import prefect
from prefect import Flow, Parameter, task
from prefect.client import Client
{imports}

logger = logging.getLogger(__name__)
'''

_TASKS = [
    '''
@task(max_retries=3, retry_delay=datetime.timedelta(seconds=10))
def extract_{n}(source: str, limit: int = 100) -> list:
    """Read up to ``limit`` records from ``source``."""
    logger.info("extracting %s", source)
    records = []
    for index in range(limit):
        records.append({{"id": index, "source": source, "value": index * {m}}})
    return records
''',
    '''
@task
def transform_{n}(records: list) -> list:
    cleaned = [r for r in records if r.get("value") is not None]
    for record in cleaned:
        record["value"] = float(record["value"]) / {m}
        record["tag"] = "batch-{n}"
    if not cleaned:
        raise signals.SKIP("nothing to transform")
    return cleaned
''',
    '''
@task(result_handler=LocalResultHandler(dir="/tmp/results-{n}"))
def load_{n}(records: list, target: str) -> int:
    path = os.path.join(target, "part-{n}.json")
    with open(path, "w") as handle:
        json.dump(records, handle)
    return len(records)
''',
    '''
class Settings{n}:
    """Plain configuration, no Prefect here."""

    def __init__(self, name="job-{n}", workers={m}):
        self.name = name
        self.workers = workers

    def as_dict(self):
        return {{"name": self.name, "workers": self.workers}}

    def __repr__(self):
        return f"Settings{n}({{self.name!r}}, {{self.workers}})"
''',
    '''
def notify_{n}(flow_name: str, state) -> None:
    if state.is_failed():
        logger.error("flow %s failed: %s", flow_name, state.message)
    client = Client(api_token=os.environ.get("PREFECT_TOKEN_{n}"))
    client.create_flow_run(flow_id=os.environ["FLOW_ID_{n}"])
''',
]

_ENVIRONMENTS = [
    'LocalEnvironment(labels=["dev", "team-{n}"], executor=LocalDaskExecutor(scheduler="threads"))',
    'KubernetesJobEnvironment(job_spec_file="job-{n}.yaml", labels=["k8s"], executor=DaskExecutor())',
    'DaskKubernetesEnvironment(min_workers=1, max_workers={m}, labels=["dask"])',
    'FargateTaskEnvironment(labels=["ecs"], cpu="256", memory="512")',
]

_STORAGE = [
    'Docker(registry_url="registry.example.com/team", image_name="flow-{n}", python_dependencies=["pandas"])',
    'GitHub(repo="example/flows", path="flows/flow_{n}.py")',
    'S3(bucket="flows-{n}")',
]

_FLOW = '''

with Flow(
    "flow-{n}",
    schedule=IntervalSchedule(interval=datetime.timedelta(minutes={m})),
    environment={environment},
    storage={storage},
) as flow:
    source = Parameter("source", default="s3://bucket/{n}")
    target = Parameter("target", default="/data/{n}")
    records = extract_{n}(source)
    cleaned = transform_{n}(records)
    load_{n}(cleaned, target)


if __name__ == "__main__":
    flow.run(executor=DaskExecutor(address=os.environ.get("DASK_ADDRESS")))
    flow.register(project_name="project-{n}")
'''


def prefect_flow(rng: random.Random, n: int) -> str:
    imports = list(_IMPORTS)
    rng.shuffle(imports)
    needed = {
        "from prefect.engine.executors import DaskExecutor, LocalDaskExecutor",
        "from prefect.environments import LocalEnvironment",
        "from prefect.environments import KubernetesJobEnvironment",
        "from prefect.environments import DaskKubernetesEnvironment",
        "from prefect.environments import FargateTaskEnvironment",
        "from prefect.environments.storage import Docker",
        "from prefect.environments.storage import GitHub, S3",
        "from prefect.engine.result_handlers import LocalResultHandler",
        "from prefect.schedules import IntervalSchedule",
        "from prefect.engine import signals",
    }
    chosen = [i for i in imports if i in needed or rng.random() < 0.5]
    parts = [_HEADER.format(title=f"Flow {n}", imports="\n".join(chosen))]
    for k in range(rng.randint(2, 4)):
        for template in _TASKS:
            parts.append(template.format(n=f"{n}_{k}", m=rng.randint(2, 9)))
    first = f"{n}_0"
    environment = rng.choice(_ENVIRONMENTS).format(n=n, m=rng.randint(2, 9))
    storage = rng.choice(_STORAGE).format(n=n)
    parts.append(_FLOW.format(n=first, m=rng.randint(5, 60), environment=environment, storage=storage))
    return "".join(parts)


# -- other kinds -------------------------------------------------------------------------------

_YAML_PREFECT = """name: register flows
on: [push]
jobs:
  register:
    runs-on: ubuntu-latest
    container: prefecthq/prefect:0.15.13-python3.8
    steps:
      - uses: actions/checkout@v3
      - run: pip install "prefect==0.15.13"
      - run: |
          prefect auth login --token "$PREFECT_TOKEN"
          prefect register flow --file flows/flow_{n}.py --project etl
"""

_YAML_PLAIN = """version: 2
services:
  web-{n}:
    image: nginx:1.25
    ports: ["80{n:02d}:80"]
    environment:
      - LOG_LEVEL=info
"""

_SHELL_PREFECT = """#!/bin/sh
set -eu
export PREFECT__CLOUD__AUTH_TOKEN="$TOKEN"
prefect agent start docker --token "$PREFECT_TOKEN" --label team-{n}
"""

_SHELL_PLAIN = """#!/bin/sh
set -eu
for f in build/*.tar.gz; do
  tar -tzf "$f" > /dev/null && echo "ok $f"
done
"""

_MARKDOWN_PREFECT = """# Flow {n}

Register it with:

```bash
prefect register flow --file flows/flow_{n}.py --project etl
```

```python
from prefect.environments import LocalEnvironment
flow.environment = LocalEnvironment(labels=["dev"])
```
"""

_MARKDOWN_PLAIN = """# Notes {n}

Nothing to see here: plain text, a list,

- one
- two

and some `inline code`.
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _stdlib_files(limit_lines: int) -> list[tuple[Path, Path]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    found: list[tuple[Path, Path]] = []
    lines = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            source = Path(folder) / name
            try:
                count = source.read_bytes().count(b"\n")
            except OSError:
                continue
            found.append((source, source.relative_to(root)))
            lines += count
            if lines >= limit_lines:
                return found
    return found


def _make_root(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root.parent / ".git").mkdir(exist_ok=True)  # .corpus/ too: discovery looks above the root
    # Its own repository: the project's .gitignore (which ignores .corpus/) must not apply.
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=False)
    (root / ".git").mkdir(exist_ok=True)


def build_mixed(root: Path, stdlib_lines: int, dense_files: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    _make_root(root)
    copied = _stdlib_files(stdlib_lines)
    folders = sorted({relative.parent for _, relative in copied})
    for source, relative in copied:
        target = root / "stdlib" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for n in range(dense_files):
        folder = root / "stdlib" / rng.choice(folders)
        _write(folder / f"prefect_flow_{n}.py", prefect_flow(rng, n))
    for n in range(max(4, dense_files // 4)):
        folder = root / "ops" / f"team{n % 7}"
        _write(folder / f"ci_{n}.yml", (_YAML_PREFECT if n % 3 == 0 else _YAML_PLAIN).format(n=n))
        _write(folder / f"run_{n}.sh", (_SHELL_PREFECT if n % 3 == 0 else _SHELL_PLAIN).format(n=n))
        _write(folder / f"README_{n}.md", (_MARKDOWN_PREFECT if n % 3 == 0 else _MARKDOWN_PLAIN).format(n=n))


def dense_texts(count: int, seed: int = 2) -> list[str]:
    """``count`` generated Prefect-dense flows (the tests use them too)."""
    rng = random.Random(seed)
    return [prefect_flow(rng, n) for n in range(count)]


def build_dense(root: Path, files: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    _make_root(root)
    for n in range(files):
        _write(root / "flows" / f"group{n % 10}" / f"flow_{n}.py", prefect_flow(rng, n))


def ensure(name: str, builder, *args) -> Path:
    """Build ``.corpus/<name>`` unless it exists, built by this generator with these arguments."""
    root = CORPUS / name
    stamp = root / ".stamp"
    wanted = f"{GENERATOR_VERSION} {args!r}"
    if not (stamp.exists() and stamp.read_text() == wanted):
        builder(root, *args)
        stamp.write_text(wanted)
    return root
