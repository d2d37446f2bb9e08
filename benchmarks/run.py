#!/usr/bin/env python3
"""Benchmark prefect-upgrade side by side with ast, libcst and ruff on the same files.

    python benchmarks/run.py            # default corpora, 3 repeats
    python benchmarks/run.py --quick    # small corpora, one repeat: a smoke test
    python benchmarks/run.py --full     # 250k stdlib lines and 300 dense files: long

Prints the machine, then per corpus: files, lines, wall time (median of ``--repeat`` runs),
kLOC/s, peak memory of the largest process (the driver or one pool worker), and the ratios to
``ast.parse`` and ``libcst.parse_module`` of every Python file and to
``ruff check --select UP --diff`` (when ruff is installed: ``pip install -e ".[bench]"``),
all measured in this run on the same files. Not a test: it asserts nothing, it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

PYTHON = sys.executable
BIN = Path(sys.executable).parent

#: Every command runs as an installed tool runs: with Python's bytecode cache. Where the machine
#: sets PYTHONDONTWRITEBYTECODE (this one does), each start would compile the tool's own sources
#: again (about 0.2 s), while libcst's were compiled once, when pip installed it.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

# Runs ``argv`` and prints its wall time and the peak RSS (kB) of the largest process of its tree.
_TIMED = r"""
import resource, subprocess, sys, time, json
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "peak_kb": peak, "rc": done.returncode, "err": done.stderr.decode()[-300:]}))
"""

# Parses every file in-process with one parser; prints the seconds spent parsing.
_PARSE = r"""
import sys, time, json, warnings
kind, listing = sys.argv[1], sys.argv[2]
paths = open(listing).read().split("\n")
texts = []
for path in paths:
    with open(path, "rb") as handle:
        texts.append(handle.read())
if kind == "ast":
    import ast
    def parse(raw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(raw)
else:
    import libcst
    def parse(raw):
        libcst.parse_module(raw)
start, cpu = time.perf_counter(), time.process_time()
for raw in texts:
    try:
        parse(raw)
    except Exception:
        pass
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "libcst": version("libcst"),
        "ruff": version("ruff"),
        "prefect-upgrade": version("prefect-upgrade"),
    }


def timed(argv: list[str], cwd: Path) -> dict:
    out = subprocess.run([PYTHON, "-c", _TIMED, *argv], cwd=cwd, capture_output=True, text=True, check=True, env=ENV)
    result = json.loads(out.stdout)
    if result["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({result['rc']}): {result['err']}")
    return result


def parse_time(kind: str, listing: Path) -> dict:
    out = subprocess.run([PYTHON, "-c", _PARSE, kind, str(listing)], capture_output=True, text=True, check=True, env=ENV)
    return json.loads(out.stdout)


def median_of(repeat: int, measure) -> dict:
    """Medians of wall and CPU seconds over ``repeat`` runs; the highest peak memory."""
    runs = [measure() for _ in range(repeat)]
    return {
        "wall": statistics.median(r["wall"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "peak_kb": max(r.get("peak_kb", 0) for r in runs),
    }


def show(label: str, measured: dict, lines: int = 0, files: int = 0) -> None:
    text = f"  {label:36s} wall {measured['wall']:7.2f} s  CPU {measured['cpu']:7.2f} s"
    if lines:
        text += f"  {lines / measured['wall'] / 1000:6.1f} kLOC/s  {files / measured['wall']:6.0f} files/s"
    if measured.get("peak_kb"):
        text += f"  peak {measured['peak_kb'] / 1024:4.0f} MB"
    print(text, flush=True)


def prefilter_report(root: Path) -> dict:
    """How many files the pre-filter lets through to parsing, and which markers let them in."""
    from collections import Counter

    from prefect_upgrade.codemods import all_codemods
    from prefect_upgrade.discovery import discover
    from prefect_upgrade.runner import _filter_for, needs_work

    codemods = tuple(all_codemods())
    passed, total, blame = 0, 0, Counter()
    for candidate in discover([root]):
        if candidate.kind is None:
            continue
        total += 1
        raw = candidate.path.read_bytes()
        if needs_work(raw, candidate.kind, codemods):
            passed += 1
            found = _filter_for(candidate.kind, codemods)
            for codemod in found.codemods:
                for marker in codemod.markers:
                    if marker.encode() in raw:
                        blame[f"{marker!r} ({codemod.code})"] += 1
    top = ", ".join(f"{k} {v}" for k, v in blame.most_common(6))
    line = f"pre-filter: {passed} of {total} files need parsing; most frequent markers: {top}"
    return {"passed": passed, "total": total, "markers": dict(blame.most_common(12)), "line": line}


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".git" not in p.parts)


def tool(*args: str) -> list[str]:
    exe = BIN / "prefect-upgrade"
    return [str(exe)] if exe.exists() else [PYTHON, "-m", "prefect_upgrade.cli"], list(args)


def upgrade_argv(*args: str) -> list[str]:
    head, rest = tool(*args)
    return head + rest


def ruff_argv(root: Path) -> list[str] | None:
    exe = BIN / "ruff"
    found = str(exe) if exe.exists() else shutil.which("ruff")
    if not found:
        return None
    return [found, "check", "--select", "UP", "--diff", "--no-cache", "--exit-zero", "--isolated", str(root)]


def bench_corpus(name: str, root: Path, repeat: int, jobs: list[int], skip_libcst: bool) -> dict:
    files = python_files(root)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    all_files = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts and p.name != ".stamp"]
    listing = corpus.CORPUS / f"{name}.files"
    listing.write_text("\n".join(str(p) for p in files))
    row: dict = {"corpus": name, "files": len(all_files), "python_files": len(files), "lines": lines}
    print(f"\n== {name}: {len(all_files)} files, {len(files)} Python files, {lines} lines", flush=True)

    row["prefilter"] = prefilter_report(root)
    print("  " + row["prefilter"]["line"], flush=True)
    row["ast"] = median_of(repeat, lambda: parse_time("ast", listing))
    show("ast.parse (1 core)", row["ast"])
    if not skip_libcst:
        row["libcst"] = median_of(repeat, lambda: parse_time("libcst", listing))
        show("libcst.parse_module (1 core)", row["libcst"])
    ruff = ruff_argv(root)
    if ruff:
        row["ruff"] = median_of(repeat, lambda: timed(ruff, root))
        show("ruff check --select UP --diff", row["ruff"])
    row["runs"] = {}
    for n in jobs:
        argv = upgrade_argv("--check", "--jobs", str(n), str(root))
        measured = median_of(repeat, lambda: timed(argv, root))
        row["runs"][n] = measured
        ratios = [f"wall {measured['wall'] / row['ast']['wall']:.1f}x ast"]
        if "libcst" in row:
            ratios.append(f"{measured['wall'] / row['libcst']['wall']:.2f}x libcst")
            ratios.append(f"CPU {measured['cpu'] / row['libcst']['cpu']:.2f}x libcst")
        if "ruff" in row:
            ratios.append(f"wall {measured['wall'] / row['ruff']['wall']:.1f}x ruff")
        show(f"prefect-upgrade --check --jobs {n}", measured, lines, len(all_files))
        print(f"      {', '.join(ratios)}", flush=True)
    return row


def bench_single(repeat: int, dense_root: Path) -> dict:
    sample = sorted((dense_root / "flows").rglob("*.py"))[0]
    plain = corpus.CORPUS / "plain_file.py"
    plain.write_text("import os\n\nprint(os.getcwd())\n")
    row = {
        "python": median_of(repeat, lambda: timed([PYTHON, "-c", "pass"], corpus.CORPUS)),
        "import_libcst": median_of(repeat, lambda: timed([PYTHON, "-c", "import libcst"], corpus.CORPUS)),
        "prefect_file": median_of(repeat, lambda: timed(upgrade_argv(str(sample)), corpus.CORPUS)),
        "plain_file": median_of(repeat, lambda: timed(upgrade_argv(str(plain)), corpus.CORPUS)),
        # what every process that rewrites Python pays before its first file
        "import_codemods": median_of(
            repeat,
            lambda: timed(
                [PYTHON, "-c", "from prefect_upgrade import codemods, runner; codemods.all_codemods()"], corpus.CORPUS
            ),
        ),
    }
    print("\n== one file (wall, with interpreter start)")
    for key, label in (
        ("python", 'python -c "pass"'),
        ("import_libcst", 'python -c "import libcst"'),
        ("import_codemods", "start: import the runner and every codemod"),
        ("prefect_file", "prefect-upgrade flow.py (a Prefect flow)"),
        ("plain_file", "prefect-upgrade plain.py (no Prefect)"),
    ):
        extra = ""
        if key.endswith("file"):
            extra = (
                f"  ({row[key]['wall'] / row['import_libcst']['wall']:.2f}x import libcst wall,"
                f" {row[key]['cpu'] / row['import_libcst']['cpu']:.2f}x CPU)"
            )
        print(f"  {label:45s} wall {row[key]['wall']:5.2f} s  CPU {row[key]['cpu']:5.2f} s{extra}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small corpora and one repeat")
    parser.add_argument(
        "--full", action="store_true", help=f"{corpus.STDLIB_LINES} stdlib lines and 300 dense files (slow)"
    )
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (median; default 3)")
    parser.add_argument("--corpus", choices=("mixed", "dense", "all"), default="all")
    parser.add_argument("--skip-libcst", action="store_true", help="do not time libcst.parse_module (slow)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    size = "quick" if args.quick else "full" if args.full else "default"
    stdlib_lines = {"quick": 15_000, "default": 60_000, "full": corpus.STDLIB_LINES}[size]
    sprinkled = {"quick": 6, "default": 15, "full": 60}[size]
    dense_count = {"quick": 10, "default": 30, "full": 300}[size]

    info = machine()
    try:
        info["load average"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        pass
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    # the bytecode of every module of the tool, written before anything is timed (``ENV``)
    where = "import prefect_upgrade, prefect_upgrade.codemods as c; print(prefect_upgrade.__path__[0]); print(c.__path__[0])"
    folders = subprocess.run([PYTHON, "-c", where], capture_output=True, text=True, check=True).stdout.split()
    subprocess.run([PYTHON, "-m", "compileall", "-q", *folders], check=True, env=ENV)
    figures = {"machine": info, "corpora": []}
    cores = os.cpu_count() or 1
    jobs = sorted({1, min(2, cores), cores})
    if args.corpus in ("mixed", "all"):
        root = corpus.ensure(f"mixed-{size}", corpus.build_mixed, stdlib_lines, sprinkled)
        figures["corpora"].append(bench_corpus("mixed", root, repeat, [cores], args.skip_libcst))
    dense = corpus.ensure(f"dense-{size}", corpus.build_dense, dense_count)
    if args.corpus in ("dense", "all"):
        figures["corpora"].append(bench_corpus("dense", dense, repeat, jobs, args.skip_libcst))
    figures["single"] = bench_single(max(repeat, 3), dense)
    runs = figures["corpora"][-1]["runs"] if args.corpus in ("dense", "all") else {}
    if 1 in runs and 2 in runs:
        # the start (imports) happens once, before the workers fork: the rest is what is shared
        start = figures["single"]["import_codemods"]["wall"]
        one, two = runs[1]["wall"], runs[2]["wall"]
        print(
            f"\n== dense, --jobs 2 against --jobs 1: {one / two:.2f}x;"
            f" without the start ({start:.2f} s): {(one - start) / max(two - start, 1e-9):.2f}x"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
