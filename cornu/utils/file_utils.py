"""get_file: download once, verify, cache, extract safely.

A download goes to a temporary file next to its cache entry and is renamed
into place only after it arrived whole and its hash matched, so the cache
never holds a partial or corrupt file. Archives are extracted into a temporary
folder first; a member that would land outside it (``..``, absolute paths,
links pointing out, devices) refuses the whole archive.
"""
import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from cornu.backend import config
from cornu.utils.progbar import Progbar

_CHUNK = 1 << 16
_ATTEMPTS = 3  # a transfer cut mid-body is retried this many times in all


class DownloadError(OSError):
    """A file could not be downloaded; the message names the URL and the cache path."""


def hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """The hex digest of the file at ``fpath`` ("sha256" or "md5"; "auto" means sha256)."""
    hasher = hashlib.md5() if algorithm == "md5" else hashlib.sha256()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _resolve_algorithm(algorithm, file_hash):
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"hash_algorithm must be 'auto', 'sha256' or 'md5'; received "
                         f"{algorithm!r}.")
    return algorithm


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=_CHUNK):
    """Whether the file at ``fpath`` has the hash ``file_hash`` (sha256 or md5)."""
    algorithm = _resolve_algorithm(algorithm, file_hash)
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Download a file from ``origin`` unless it is already in the cache; return its path.

    Files are cached under ``cache_dir`` (default ``$CORNU_HOME``, else ``~/.cornu``) in
    ``cache_subdir`` (default ``datasets``). With ``file_hash`` (sha256 or md5) the file
    is verified after download and when found in the cache.

    Args:
        fname: the local file name (default: the last part of ``origin``'s path).
            With ``extract=True``, a name without an extension names the folder the
            archive is extracted to.
        origin: the URL of the file.
        untar: Keras 2's spelling of ``extract`` for tar files, with Keras 2's layout:
            the archive is extracted into the cache folder and ``<cache>/<fname>`` is
            returned.
        md5_hash: Keras 2's spelling of ``file_hash`` with ``hash_algorithm="md5"``.
        file_hash: the expected sha256 or md5 hex digest.
        cache_subdir: the folder under ``cache_dir`` (an absolute path is used as is).
        hash_algorithm: "auto" (sha256 for 64-character digests, else md5), "sha256", "md5".
        extract: extract a tar or zip archive; returns the folder it was extracted to.
        archive_format: "auto" (tar then zip), "tar", "zip", a list of them, or None.
        cache_dir: the cache root (default ``$CORNU_HOME`` or ``~/.cornu``).
        force_download: download even if the file is cached.

    Returns:
        The path of the file, or of the extraction folder with ``extract=True``.

    Example:
        >>> path = cornu.utils.get_file(origin="https://example.com/data.csv")  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError("get_file needs `origin`, the URL of the file to download.")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = _resolve_algorithm(hash_algorithm, file_hash)
    datadir = _cache_folder(cache_dir, cache_subdir)
    fname = os.fspath(fname) if fname else None
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Cannot tell a file name from origin {origin!r}; pass `fname`.")
        provided = False
    else:
        provided = True
    _check_fname(fname, datadir)

    extract_to = None
    if untar:
        warnings.warn("`get_file(untar=True)` is a Keras 2 spelling; use `extract=True` "
                      "instead.", DeprecationWarning, stacklevel=2)
        target = os.path.join(datadir, fname)
        download_target = target + ".tar.gz"
        extract_to, archive_format = datadir, "tar"
    elif extract:
        if provided and "." in os.path.basename(fname):
            download_target = os.path.join(datadir, fname)
            folder, name = os.path.split(fname)
            target = os.path.join(datadir, folder, name.split(".")[0] + "_extracted")
        else:
            target = os.path.join(datadir, fname)
            download_target = target + "_archive"
        extract_to = target
    else:
        target = download_target = os.path.join(datadir, fname)

    downloaded = False
    if force_download or not os.path.exists(download_target):
        download = True
    elif file_hash is not None and not validate_file(download_target, file_hash, algorithm):
        print(f"A local file was found at {download_target}, but its {algorithm} hash does "
              f"not match {file_hash}; downloading it again.")
        _remove(download_target)
        download = True
    else:
        download = False
    if download:
        _download(origin, download_target, file_hash, algorithm)
        downloaded = True

    if extract_to is not None and (downloaded or not os.path.exists(target)):
        try:
            extracted = extract_archive(download_target, extract_to, archive_format,
                                        into_existing=extract_to == datadir)
        except ValueError:  # an unsafe archive: it does not stay in the cache either
            _remove(download_target)
            raise
        if not extracted:
            warnings.warn(f"Could not extract {download_target}: it is not a "
                          f"{archive_format} archive.", stacklevel=2)
    return target


def _check_fname(fname, datadir):
    """Refuse a file name that would put the download outside ``datadir``.

    Keras refuses any folder in ``fname``; cornu still allows a relative sub-folder
    (``"sub/data.csv"``) as long as it stays inside the cache folder."""
    parts = fname.replace("\\", "/").split("/")
    inside = os.path.realpath(os.path.join(datadir, fname))
    base = os.path.realpath(datadir)
    if (os.path.isabs(fname) or os.path.splitdrive(fname)[0] or ".." in parts
            or fname in (os.curdir, os.pardir)
            or os.path.commonpath([inside, base]) != base or inside == base):
        raise ValueError(
            f"`fname` must be a file name inside the cache folder {datadir!r}; received "
            f"fname={fname!r} (an absolute path or a '..' component would write outside "
            "it). To download elsewhere, pass the folder as `cache_dir` and a plain name "
            "as `fname`.")


def _cache_folder(cache_dir, cache_subdir):
    base = os.path.expanduser(cache_dir) if cache_dir is not None else config.cornu_home()
    if not os.path.exists(base) and _can_create(base):
        os.makedirs(base, exist_ok=True)
    if not os.access(base, os.W_OK):  # a read-only home: cache in the temporary folder
        base = os.path.join(tempfile.gettempdir(), ".cornu")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def _can_create(path):
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    return os.access(parent, os.W_OK)


def _download(origin, target, file_hash, algorithm):
    """Fetch ``origin`` into ``target`` through a temporary file, verifying the hash."""
    print(f"Downloading data from {origin}")
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    for attempt in range(1, _ATTEMPTS + 1):
        fd, partial = tempfile.mkstemp(prefix=os.path.basename(target) + ".",
                                       suffix=".part", dir=os.path.dirname(target) or ".")
        try:
            with os.fdopen(fd, "wb") as out:
                _transfer(origin, out, target)
            if file_hash is not None:
                actual = hash_file(partial, algorithm)
                if actual != str(file_hash).lower():
                    raise ValueError(
                        f"Incomplete or corrupted file detected: the {algorithm} hash of the "
                        f"file downloaded from {origin} is {actual}, but {file_hash} was "
                        "expected. Nothing was kept in the cache; if the file has changed "
                        "upstream, pass its new `file_hash`.")
            os.replace(partial, target)
            return
        except _Interrupted as e:
            _remove(partial)
            if attempt == _ATTEMPTS:
                raise DownloadError(
                    f"The download of {origin} was interrupted {attempt} times ({e}); "
                    f"nothing was kept in the cache. Call again to retry, or download the "
                    f"file yourself and place it at {target}.") from None
            print(f"The download of {origin} was interrupted ({e}); retrying "
                  f"({attempt + 1}/{_ATTEMPTS}).")
        except BaseException:
            _remove(partial)
            raise


class _Interrupted(Exception):
    """The transfer started but stopped before the whole body arrived."""


def _transfer(origin, out, target):
    try:
        response = urllib.request.urlopen(origin, timeout=60)
    except urllib.error.HTTPError as e:
        raise DownloadError(
            f"URL fetch failure on {origin}: HTTP {e.code} {e.reason}. If the file is "
            f"available elsewhere, place it by hand at {target}.") from None
    except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
        reason = getattr(e, "reason", e)
        raise DownloadError(
            f"Could not download {origin} ({reason}): are you offline? Download the file on "
            f"a machine that has a connection and place it at {target}; cornu looks there "
            "first.") from None
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = Progbar(total) if total else None
        received = 0
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (http.client.HTTPException, OSError) as e:
                raise _Interrupted(f"{type(e).__name__} after {received} bytes") from None
            if not chunk:
                break
            out.write(chunk)
            received += len(chunk)
            if bar is not None:
                bar.update(min(received, total), finalize=False)
        if total is not None and received < total:
            raise _Interrupted(f"{received} of {total} bytes received")
        if bar is not None:
            bar.update(total, finalize=True)


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


# ------------------------------------------------------------------ extraction

def _unsafe_reason(name, base):
    """Why archive member ``name`` must not be extracted under ``base`` (None if safe)."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in parts:
        return "a '..' component"
    resolved = os.path.realpath(os.path.join(base, name))
    if os.path.commonpath([resolved, base]) != base:
        return "a path outside the extraction folder"
    return None


def _check_tar_member(member, base):
    reason = _unsafe_reason(member.name, base)
    if reason is None and member.issym():
        link = os.path.join(os.path.dirname(os.path.join(base, member.name)), member.linkname)
        if os.path.isabs(member.linkname) or os.path.commonpath(
                [os.path.realpath(link), base]) != base:
            reason = f"a link to {member.linkname!r}, outside the extraction folder"
    elif reason is None and member.islnk():
        if _unsafe_reason(member.linkname, base) is not None:
            reason = f"a hard link to {member.linkname!r}, outside the extraction folder"
    elif reason is None and (member.isdev() or member.isfifo()):
        reason = "a device or fifo"
    if reason is not None:
        raise ValueError(f"Refusing to extract archive member {member.name!r}: it is {reason}. "
                         "The archive may be corrupted or malicious; nothing was extracted.")


def extract_archive(file_path, path=".", archive_format="auto", into_existing=False):
    """Extract a tar or zip archive to ``path``, refusing members that would land outside it.

    The archive is extracted into a temporary folder next to ``path`` and moved into
    place once every member was checked and written. Returns True if ``file_path`` was an
    archive of one of the formats and was extracted, False otherwise.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in formats:
        if kind == "tar":
            matches, opener = tarfile.is_tarfile(file_path), tarfile.open
        elif kind == "zip":
            matches, opener = zipfile.is_zipfile(file_path), zipfile.ZipFile
        else:
            raise ValueError(f"archive_format must be 'auto', 'tar', 'zip' or None; "
                             f"received {kind!r}.")
        if not matches:
            continue
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".extract-", dir=parent)
        try:
            base = os.path.realpath(staging)
            with opener(file_path) as archive:
                if kind == "tar":
                    members = archive.getmembers()
                    for member in members:
                        _check_tar_member(member, base)
                    kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                    for member in members:
                        with _refusing(member.name, file_path):
                            archive.extract(member, staging, set_attrs=not member.isdir(),
                                            **kwargs)
                else:
                    for info in archive.infolist():
                        reason = _unsafe_reason(info.filename, base)
                        if reason is not None:
                            raise ValueError(
                                f"Refusing to extract archive member {info.filename!r}: it "
                                f"is {reason}. The archive may be corrupted or malicious; "
                                "nothing was extracted.")
                    for info in archive.infolist():
                        with _refusing(info.filename, file_path):
                            archive.extract(info, staging)
            _move_into_place(staging, path, into_existing)
        finally:
            if os.path.exists(staging):
                shutil.rmtree(staging, ignore_errors=True)
        return True
    return False


@contextlib.contextmanager
def _refusing(name, file_path):
    """Turn a failure to extract member ``name`` (tarfile's extraction filter, a hard
    link to a missing member, a member clashing with another) into a ValueError."""
    try:
        yield
    except (tarfile.TarError, zipfile.BadZipFile, KeyError, FileExistsError,
            IsADirectoryError, NotADirectoryError) as e:
        raise ValueError(
            f"Refusing to extract archive member {name!r} of {file_path}: "
            f"{type(e).__name__}: {e}. The archive may be corrupted or malicious; nothing "
            "was extracted.") from e


def _move_into_place(staging, path, into_existing):
    if into_existing:  # Keras 2's untar layout: the archive's entries join the cache folder
        os.makedirs(path, exist_ok=True)
        for entry in os.listdir(staging):
            destination = os.path.join(path, entry)
            if os.path.isdir(destination) and not os.path.islink(destination):
                shutil.rmtree(destination)
            elif os.path.lexists(destination):
                os.remove(destination)
            os.replace(os.path.join(staging, entry), destination)
        return
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)
    os.replace(staging, path)

