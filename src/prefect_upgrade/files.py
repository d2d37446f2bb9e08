"""Bytes to text and back, and writes that can never leave a file half-written."""

from __future__ import annotations

import codecs
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

TEMP_SUFFIX = ".prefect-upgrade.tmp"


class FileError(Exception):
    """A file cannot be read, decoded or written; the message is one line."""


@dataclass(frozen=True)
class SourceFile:
    """A file's text, and what is needed to write it back exactly as it was encoded."""

    text: str
    encoding: str  # a codec name; "utf-8-sig" when the file had a UTF-8 BOM
    raw: bytes
    mtime_ns: Optional[int] = None

    def encode(self, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as error:
            raise FileError(f"the rewritten text cannot be encoded as {self.encoding}: {error.reason}") from None


def decode(raw: bytes, python: bool) -> SourceFile:
    """Decode ``raw``: Python files by their PEP 263 cookie or BOM, other files as UTF-8."""
    if b"\0" in raw[:8192]:
        raise FileError("binary file (contains NUL bytes)")
    if python:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as error:
            raise FileError(f"bad encoding declaration: {error.msg if hasattr(error, 'msg') else error}") from None
    else:
        encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        raise FileError(f"cannot decode as {encoding}: {reason}") from None
    return SourceFile(text=text, encoding=encoding, raw=raw)


def read_bytes(path: Path) -> tuple[bytes, int]:
    """A file's bytes and its modification time (ns), unchanged."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if stat.S_ISDIR(status.st_mode):
                raise FileError("is a directory")
            raw = handle.read()
    except IsADirectoryError:
        raise FileError("is a directory") from None
    except OSError as error:
        raise FileError(f"cannot read: {error.strerror or error}") from None
    return raw, status.st_mtime_ns


def read_source(path: Path, python: bool) -> SourceFile:
    raw, mtime_ns = read_bytes(path)
    source = decode(raw, python)
    return SourceFile(source.text, source.encoding, raw, mtime_ns)


def write_atomically(path: Path, source: SourceFile, new_text: str) -> None:
    """Replace ``path`` with ``new_text`` in one step, keeping mode, encoding and BOM.

    The new bytes go to a temporary file in the same folder, which then replaces the file, so an
    interrupted run leaves the file entirely old or entirely new. A file that is read-only, or
    that changed since it was read, is not touched.
    """
    data = source.encode(new_text)
    target = Path(os.path.realpath(path))  # write through a symlink, never over it
    try:
        status = os.stat(target)
    except OSError as error:
        raise FileError(f"cannot write: {error.strerror or error}") from None
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise FileError("read-only file, not written")
    if source.mtime_ns is not None:
        try:
            with open(target, "rb") as handle:
                current = handle.read()
        except OSError as error:
            raise FileError(f"cannot read back before writing: {error.strerror or error}") from None
        if current != source.raw:
            raise FileError("changed on disk while it was being upgraded, not written")
    descriptor, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, stat.S_IMODE(status.st_mode))
        try:
            os.chown(temp_name, status.st_uid, status.st_gid)
        except OSError:
            pass  # not ours to give away; the mode is what matters
        os.replace(temp_name, target)
    except BaseException as error:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise FileError(f"cannot write: {error.strerror or error}") from None
        raise
