"""Bytes to text and back: encodings, BOM, newlines, and writes that are all or nothing."""

from __future__ import annotations

import os
import stat

import pytest

from prefect_upgrade.files import TEMP_SUFFIX, FileError, decode, read_source, write_atomically


@pytest.mark.parametrize(
    "raw, encoding",
    [
        (b"x = 1\n", "utf-8"),
        (b"\xef\xbb\xbfx = 1\n", "utf-8-sig"),
        (b"# -*- coding: latin-1 -*-\nname = '\xe9'\n", "iso-8859-1"),
        (b"x = 1\r\ny = 2\r\n", "utf-8"),
    ],
)
def test_python_text_round_trips_to_the_same_bytes(raw, encoding):
    source = decode(raw, python=True)
    assert source.encoding == encoding
    assert source.encode(source.text) == raw


def test_crlf_is_kept_in_the_text():
    assert decode(b"a\r\nb\r\n", python=True).text == "a\r\nb\r\n"


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"x = '\xff\xfe'\n", "cannot decode as utf-8"),
        (b"# -*- coding: klingon -*-\nx = 1\n", "encoding"),
        (b"x = 1\0\n", "binary file"),
    ],
)
def test_bad_bytes_give_one_clear_line(raw, message):
    with pytest.raises(FileError) as error:
        decode(raw, python=True)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_other_kinds_are_utf8_with_optional_bom():
    assert decode(b"\xef\xbb\xbfa: 1\n", python=False).encoding == "utf-8-sig"
    with pytest.raises(FileError):
        decode(b"a: \xff\n", python=False)


def test_write_keeps_mode_bom_and_newlines(tmp_path):
    path = tmp_path / "flow.py"
    path.write_bytes(b"\xef\xbb\xbfx = 1\r\n")
    os.chmod(path, 0o751)
    source = read_source(path, python=True)
    write_atomically(path, source, source.text.replace("1", "2"))
    assert path.read_bytes() == b"\xef\xbb\xbfx = 2\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert sorted(os.listdir(tmp_path)) == ["flow.py"]


def test_write_goes_through_a_symlink_and_keeps_it(tmp_path):
    target = tmp_path / "real.py"
    target.write_text("x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    source = read_source(link, python=True)
    write_atomically(link, source, "x = 2\n")
    assert link.is_symlink()
    assert target.read_text() == "x = 2\n"


def test_read_only_file_is_not_written(tmp_path):
    path = tmp_path / "flow.py"
    path.write_text("x = 1\n")
    os.chmod(path, 0o444)
    source = read_source(path, python=True)
    with pytest.raises(FileError, match="read-only"):
        write_atomically(path, source, "x = 2\n")
    assert path.read_text() == "x = 1\n"


def test_file_changed_since_reading_is_not_overwritten(tmp_path):
    path = tmp_path / "flow.py"
    path.write_text("x = 1\n")
    source = read_source(path, python=True)
    path.write_text("x = 'edited by someone else'\n")
    with pytest.raises(FileError, match="changed on disk"):
        write_atomically(path, source, "x = 2\n")
    assert path.read_text() == "x = 'edited by someone else'\n"


def test_file_that_vanished_is_not_recreated(tmp_path):
    path = tmp_path / "flow.py"
    path.write_text("x = 1\n")
    source = read_source(path, python=True)
    path.unlink()
    with pytest.raises(FileError):
        write_atomically(path, source, "x = 2\n")
    assert not path.exists()


def test_text_that_cannot_be_encoded_back_is_an_error(tmp_path):
    path = tmp_path / "flow.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nx = 1\n")
    source = read_source(path, python=True)
    with pytest.raises(FileError, match="cannot be encoded"):
        write_atomically(path, source, source.text + "y = '\u20ac'\n")
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\nx = 1\n"


def test_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "flow.py"
    path.write_text("x = 1\n")
    source = read_source(path, python=True)

    def broken_replace(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(FileError, match="No space left"):
        write_atomically(path, source, "x = 2\n")
    assert path.read_text() == "x = 1\n"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(TEMP_SUFFIX)]


def test_directory_is_not_read_as_a_file(tmp_path):
    folder = tmp_path / "looks_like.py"
    folder.mkdir()
    with pytest.raises(FileError, match="directory"):
        read_source(folder, python=True)
