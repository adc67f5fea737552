"""Atomic saves: write beside the target, flush to disk, then rename over it.

A save that fails or is interrupted part-way leaves the previous file as it
was: the rename (``os.replace``) is the only step that touches the target, and
it is atomic on POSIX and Windows file systems.
"""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_write(filepath):
    """``with atomic_write(path) as tmp:`` write the file at ``tmp``; on success it
    replaces ``path``, on any failure ``tmp`` is removed and ``path`` is untouched.
    Missing parent folders are created."""
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(filepath)}.", suffix=".tmp",
                               dir=folder)
    os.close(fd)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, filepath)
        _fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _fsync(path):
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX); a no-op where folders can't be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
