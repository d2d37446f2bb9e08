"""Input the tool must survive: one clear line per bad file, the others still processed."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

from typer.testing import CliRunner

from prefect_upgrade.cli import app

OLD = "from prefect.engine.executors import LocalExecutor\n"
NEW = "from prefect.executors import LocalExecutor\n"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def _errors(result) -> dict[str, str]:
    lines = [l for l in result.stderr.splitlines() if ": error: " in l]
    return {Path(l.split(": error: ")[0]).name: l.split(": error: ")[1] for l in lines}


def test_a_zoo_of_bad_files_next_to_a_good_one(tmp_path):
    (tmp_path / "good.py").write_text(OLD)
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "bom_only.py").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "python2.py").write_text(OLD + "print 'hello'\n")
    (tmp_path / "binary.py").write_bytes(b"\x7fELF\0\0" + OLD.encode())
    (tmp_path / "cookie.py").write_bytes(b"# -*- coding: nonsense -*-\n" + OLD.encode())
    (tmp_path / "undecodable.py").write_bytes(OLD.encode() + b"x = '\xff'\n")
    (tmp_path / "deep.py").write_text(OLD + "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    (tmp_path / "folder.py").mkdir()
    result = invoke("--write", tmp_path)
    assert result.exit_code == 2
    errors = _errors(result)
    assert set(errors) == {"python2.py", "binary.py", "cookie.py", "undecodable.py", "deep.py"}
    assert all("\n" not in e and e for e in errors.values())
    assert (tmp_path / "good.py").read_text() == NEW
    assert (tmp_path / "empty.py").read_bytes() == b""
    assert (tmp_path / "bom_only.py").read_bytes() == b"\xef\xbb\xbf"
    assert (tmp_path / "python2.py").read_text() == OLD + "print 'hello'\n"


def test_a_ten_megabyte_file_is_read_and_left_alone(tmp_path):
    path = tmp_path / "big.py"
    path.write_text("import prefect\n" + "x = 1\n" * 1_750_000)
    assert path.stat().st_size > 10_000_000
    before = path.stat().st_mtime_ns
    result = invoke("--write", path)
    assert result.exit_code == 0, result.stderr
    assert path.stat().st_mtime_ns == before


def test_an_unreadable_file(tmp_path, monkeypatch):
    bad = tmp_path / "secret.py"
    bad.write_text(OLD)
    good = tmp_path / "good.py"
    good.write_text(OLD)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    result = invoke("--write", "--jobs", "1", tmp_path)
    assert result.exit_code == 2
    assert "Permission denied" in _errors(result)["secret.py"]
    assert good.read_text() == NEW


def test_a_very_long_path(tmp_path):
    folder = tmp_path
    for index in range(12):
        folder = folder / (f"{index:02}" + "d" * 200)
    os.makedirs(folder)
    path = folder / ("f" * 200 + ".py")
    path.write_text(OLD)
    assert len(str(path)) > 2500
    result = invoke("--write", tmp_path)
    assert result.exit_code == 1, result.stderr
    assert path.read_text() == NEW


def test_tens_of_thousands_of_files(tmp_path):
    for index in range(10_000):
        folder = tmp_path / f"pkg{index // 500}"
        if index % 500 == 0:
            folder.mkdir()
        (folder / f"m{index}.py").write_text("x = 1\n" if index != 2_345 else OLD)
    result = invoke("--check", tmp_path)
    assert result.exit_code == 1
    assert result.stdout.strip() == f"would change: {tmp_path / 'pkg4' / 'm2345.py'}"
    assert "10000 files seen" in result.stderr
