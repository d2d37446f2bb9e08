"""Bytes to text and back, and writes that can never leave a file half-written."""

from __future__ import annotations

import codecs
import errno
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
            reason = str(error.msg if hasattr(error, "msg") else error)
            if "invalid or missing encoding declaration" in reason:
                raise FileError("cannot decode as utf-8 and no coding declaration says otherwise") from None
            raise FileError(f"bad coding declaration: {reason}") from None
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
    _replace(target, data, stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid)


def _replace(target: Path, data: bytes, mode: int, uid: int, gid: int) -> None:
    """Put ``data`` at ``target`` in one rename.

    Where the system allows it (Linux ``O_TMPFILE``), the new content is written to a file with
    no name at all and linked under a temporary name just before the rename, so even a SIGKILL
    leaves no temporary file behind but in the instant between those two calls.
    """
    temp_name = _linked_anonymous_file(target, data, mode, uid, gid)
    if temp_name is None:
        temp_name = _named_temporary_file(target, data, mode, uid, gid)
    try:
        os.replace(temp_name, target)
    except BaseException as error:
        _unlink_quietly(temp_name)
        if isinstance(error, OSError):
            raise FileError(f"cannot write: {error.strerror or error}") from None
        raise


def _fill(descriptor: int, data: bytes, mode: int, uid: int, gid: int) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
    os.fchmod(descriptor, mode)
    try:
        os.fchown(descriptor, uid, gid)
    except OSError:
        pass  # not ours to give away; the mode is what matters
    os.fsync(descriptor)


def _linked_anonymous_file(target: Path, data: bytes, mode: int, uid: int, gid: int) -> Optional[str]:
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        descriptor = os.open(target.parent, flag | os.O_WRONLY, 0o600)
    except OSError:
        return None  # the file system does not support it
    temp_name = str(target.parent / f".{target.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        _fill(descriptor, data, mode, uid, gid)
        # A directory fd makes CPython call linkat(AT_SYMLINK_FOLLOW) rather than link(), which
        # would try to hard-link the /proc symlink itself.
        root = os.open("/", os.O_RDONLY)
        try:
            os.link(f"/proc/self/fd/{descriptor}", temp_name, src_dir_fd=root, follow_symlinks=True)
        finally:
            os.close(root)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            raise FileError(f"cannot write: {error.strerror}") from None
        return None  # linking an anonymous file is not allowed here: use a named one
    finally:
        os.close(descriptor)
    return temp_name


def _named_temporary_file(target: Path, data: bytes, mode: int, uid: int, gid: int) -> str:
    try:
        descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as error:
        raise FileError(f"cannot write: {error.strerror or error}") from None
    try:
        _fill(descriptor, data, mode, uid, gid)
    except BaseException as error:
        os.close(descriptor)
        _unlink_quietly(temp_name)
        if isinstance(error, OSError):
            raise FileError(f"cannot write: {error.strerror or error}") from None
        raise
    os.close(descriptor)
    return temp_name


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass
