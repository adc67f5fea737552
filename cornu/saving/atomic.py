"""Atomic saves: write beside the target, flush to disk, then rename over it.

A save that fails or is interrupted part-way leaves the previous file as it
was: the rename (``os.replace``) is the only step that touches the target, and
it is atomic on POSIX and Windows file systems.

The saved file looks as if it had been written in place: a new file gets the
mode the umask allows (``0o666 & ~umask``), an existing file keeps its mode, and
a path that is a symbolic link is written through to the file it points to (the
link stays a link). A save killed before the rename leaves its temporary file
(``.<name>.XXXXXXXX.tmp``); the next save of the same target removes such stale
files, with a warning naming them.
"""
import contextlib
import os
import re
import stat
import tempfile
import time
import warnings

# A temporary file is stale when it was last written this long before a new save of
# the same target starts; a younger one may belong to a save still under way.
STALE_AFTER_S = 2.0


@contextlib.contextmanager
def atomic_write(filepath):
    """``with atomic_write(path) as tmp:`` write the file at ``tmp``; on success it
    replaces ``path``, on any failure ``tmp`` is removed and ``path`` is untouched.
    Missing parent folders are created; see the module docstring for modes, links
    and stale temporary files."""
    started = time.time()
    filepath = os.fspath(filepath)
    if os.path.islink(filepath):
        filepath = os.path.realpath(filepath)  # write the file the link points to
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporaries(filepath, started)
    mode = _target_mode(filepath)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(filepath), suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, mode)
        _fsync(tmp)
        os.replace(tmp, filepath)
        _fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _temp_prefix(filepath):
    return f".{os.path.basename(filepath)}."


def remove_stale_temporaries(filepath, before):
    """Remove temporary files an interrupted save of ``filepath`` left behind: only
    names of the exact form ``atomic_write`` uses for that target, last written
    before ``before`` (a ``time.time()``) minus ``STALE_AFTER_S``. Warns with the
    names it removed; returns them."""
    folder = os.path.dirname(os.path.abspath(filepath))
    # mkstemp's names: the prefix, 8 characters of [a-z0-9_], the suffix.
    pattern = re.compile(re.escape(_temp_prefix(filepath)) + r"[a-z0-9_]{8}\.tmp")
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not pattern.fullmatch(name):
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < before - STALE_AFTER_S:
                os.remove(path)
                removed.append(path)
        except OSError:
            continue  # gone already, or not ours to remove
    if removed:
        warnings.warn(
            f"Removed {len(removed)} temporary file(s) left by an interrupted save of "
            f"{filepath!r}: {sorted(removed)}.", stacklevel=4)
    return removed


def _target_mode(filepath):
    """The permission bits the saved file gets: the existing file's, else the ones a
    plain ``open(path, 'w')`` would give under the current umask."""
    try:
        return stat.S_IMODE(os.stat(filepath).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def current_umask():
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o22)  # elsewhere: read it by setting it, then put it back
    os.umask(mask)
    return mask


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
