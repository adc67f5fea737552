"""get_file against a local HTTP server: cache, hashes, broken transfers, safe extraction."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from cornu.utils import file_utils, get_file
from tests.utils.local_server import Route, closed_port_url, serve

BODY = bytes(range(256)) * 1000  # 256 kB, several read chunks


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _cache(home):
    folder = home / "datasets"
    return sorted(os.listdir(folder)) if folder.exists() else []


def _tar(members):
    """A .tar.gz holding {name: bytes}."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_good_file_downloads_once_and_is_cached(_home):
    sha = hashlib.sha256(BODY).hexdigest()
    routes = {"/data.bin": BODY}
    with serve(routes) as url:
        path = get_file("data.bin", origin=url + "/data.bin", file_hash=sha)
        assert path == str(_home / "datasets" / "data.bin")
        assert open(path, "rb").read() == BODY
        again = get_file("data.bin", origin=url + "/data.bin", file_hash=sha)
    assert again == path
    assert routes["/data.bin"].requests == 1  # the second call used the cache
    assert _cache(_home) == ["data.bin"]


def test_name_from_url_md5_and_cache_dir(tmp_path):
    md5 = hashlib.md5(BODY).hexdigest()
    with serve({"/dir/file.txt": BODY}) as url:
        path = get_file(origin=url + "/dir/file.txt", md5_hash=md5, cache_dir=str(tmp_path / "c"),
                        cache_subdir="sub")
    assert path == str(tmp_path / "c" / "sub" / "file.txt")


def test_corrupt_file_raises_and_leaves_nothing(_home):
    with serve({"/data.bin": BODY}) as url:
        with pytest.raises(ValueError, match="hash"):
            get_file("data.bin", origin=url + "/data.bin", file_hash="0" * 64)
    assert _cache(_home) == []


def test_cached_file_with_wrong_hash_is_downloaded_again(_home):
    (_home / "datasets").mkdir(parents=True)
    (_home / "datasets" / "data.bin").write_bytes(b"stale")
    sha = hashlib.sha256(BODY).hexdigest()
    with serve({"/data.bin": BODY}) as url:
        path = get_file("data.bin", origin=url + "/data.bin", file_hash=sha)
    assert open(path, "rb").read() == BODY
    (_home / "datasets" / "data.bin").write_bytes(b"stale again")
    with pytest.raises(OSError):  # offline: the stale file is removed, not kept
        get_file("data.bin", origin=closed_port_url(), file_hash=sha)
    assert _cache(_home) == []


def test_interrupted_transfer_errors_then_retry_succeeds(_home, monkeypatch):
    monkeypatch.setattr(file_utils, "_ATTEMPTS", 1)
    routes = {"/data.bin": Route(BODY, cut_after=50_000, cut_times=1)}
    with serve(routes) as url:
        with pytest.raises(file_utils.DownloadError, match="interrupted"):
            get_file("data.bin", origin=url + "/data.bin")
        assert _cache(_home) == []  # no partial file left behind
        path = get_file("data.bin", origin=url + "/data.bin")
    assert open(path, "rb").read() == BODY


def test_interrupted_transfer_is_retried_automatically(_home):
    routes = {"/data.bin": Route(BODY, cut_after=10, cut_times=2)}
    with serve(routes) as url:
        path = get_file("data.bin", origin=url + "/data.bin",
                        file_hash=hashlib.sha256(BODY).hexdigest())
    assert routes["/data.bin"].requests == 3
    assert open(path, "rb").read() == BODY
    assert _cache(_home) == ["data.bin"]


def test_offline_error_names_url_and_cache_path(_home):
    origin = closed_port_url("/mnist.npz")
    with pytest.raises(OSError) as info:
        get_file("mnist.npz", origin=origin)
    message = str(info.value)
    assert origin in message
    assert str(_home / "datasets" / "mnist.npz") in message
    assert _cache(_home) == []


def test_http_error_names_url(_home):
    with serve({}) as url:
        with pytest.raises(OSError, match="404"):
            get_file("missing.bin", origin=url + "/missing.bin")


def test_extract_tar(_home):
    archive = _tar({"pkg/a.txt": b"A", "pkg/sub/b.txt": b"B"})
    with serve({"/pkg.tar.gz": archive}) as url:
        folder = get_file("pkg", origin=url + "/pkg.tar.gz", extract=True)
        assert folder == str(_home / "datasets" / "pkg")
        assert open(os.path.join(folder, "pkg", "sub", "b.txt"), "rb").read() == b"B"
        named = get_file("pkg.tar.gz", origin=url + "/pkg.tar.gz", extract=True)
        assert named == str(_home / "datasets" / "pkg_extracted")


def test_untar_keras2_layout(_home):
    archive = _tar({"batches/x.bin": b"X"})
    with serve({"/b.tar.gz": archive}) as url:
        with pytest.warns(DeprecationWarning, match="extract"):
            folder = get_file("batches", origin=url + "/b.tar.gz", untar=True)
    assert folder == str(_home / "datasets" / "batches")
    assert open(os.path.join(folder, "x.bin"), "rb").read() == b"X"


def test_extract_zip(_home):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("d/z.txt", b"Z")
    with serve({"/d.zip": buffer.getvalue()}) as url:
        folder = get_file(origin=url + "/d.zip", extract=True)
    assert open(os.path.join(folder, "d", "z.txt"), "rb").read() == b"Z"


@pytest.mark.parametrize("member", ["../evil.txt", "ok/../../evil.txt", "/tmp/evil.txt"])
def test_tar_with_unsafe_member_is_refused(_home, tmp_path, member):
    archive = _tar({"fine.txt": b"ok", member: b"evil"})
    with serve({"/bad.tar.gz": archive}) as url:
        with pytest.raises(ValueError, match="Refusing"):
            get_file("bad", origin=url + "/bad.tar.gz", extract=True)
    assert not (_home / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert _cache(_home) == []  # neither the archive nor a partial extraction stays


def test_tar_with_link_outside_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc/passwd"
        tar.addfile(info)
    path = tmp_path / "link.tar"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="link"):
        file_utils.extract_archive(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_zip_with_unsafe_member_is_refused(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("../evil.txt", b"evil")
    with pytest.raises(ValueError, match="Refusing"):
        file_utils.extract_archive(path, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_validate_and_hash_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    sha = hashlib.sha256(b"abc").hexdigest()
    assert file_utils.hash_file(path) == sha
    assert file_utils.validate_file(path, sha)
    assert file_utils.validate_file(path, hashlib.md5(b"abc").hexdigest())
    assert not file_utils.validate_file(path, "0" * 64)


def test_origin_required():
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
