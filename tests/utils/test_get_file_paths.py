"""get_file never writes outside its cache folder, and an archive the extraction
refuses is a ValueError that leaves nothing in the cache (issue #16)."""
import io
import os
import tarfile

import pytest

from cornu.utils import file_utils, get_file
from tests.utils.local_server import serve

BODY = b"payload " * 100


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _everything(folder):
    return sorted(os.path.relpath(os.path.join(r, f), folder)
                  for r, _, fs in os.walk(folder) for f in fs)


@pytest.mark.parametrize("fname", ["../../x", "../x.tar.gz", "a/../../x", "/tmp/abs_x",
                                   "..", "."])
@pytest.mark.parametrize("extract", [False, True])
def test_fname_outside_the_cache_is_refused(tmp_path, fname, extract):
    with serve({"/x": BODY}) as url:
        with pytest.raises(ValueError, match="`fname` must be a file name inside the cache"):
            get_file(fname, origin=url + "/x", cache_dir=str(tmp_path / "c"),
                     extract=extract)
    assert _everything(tmp_path) == []
    assert not os.path.exists("/tmp/abs_x")


def test_plain_and_sub_folder_names_still_work(tmp_path):
    with serve({"/x": BODY}) as url:
        path = get_file("sub/data.bin", origin=url + "/x", cache_dir=str(tmp_path))
    assert path == str(tmp_path / "datasets" / "sub" / "data.bin")
    assert open(path, "rb").read() == BODY


def _tar(entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, kind, extra in entries:
            info = tarfile.TarInfo(name)
            if kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, extra
                tar.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, extra
                tar.addfile(info)
            else:
                info.size = len(extra)
                tar.addfile(info, io.BytesIO(extra))
    return buffer.getvalue()


def test_refused_by_the_extraction_filter_is_a_value_error(_home, monkeypatch):
    if not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python's tarfile has no extraction filters")
    # Without cornu's own check, tarfile's data filter is what refuses the link.
    monkeypatch.setattr(file_utils, "_check_tar_member", lambda member, base: None)
    body = _tar([("ok.txt", "file", b"fine"), ("escape", "symlink", "../../outside")])
    with serve({"/a.tar.gz": body}) as url:
        with pytest.raises(ValueError, match=r"member 'escape'.*(Filter|Destination|Link)"):
            get_file("a.tar.gz", origin=url + "/a.tar.gz", extract=True)
    assert _everything(_home) == []  # the refused download is gone too


def test_hard_link_to_a_missing_member_is_a_value_error(_home):
    body = _tar([("ok.txt", "file", b"fine"), ("h", "hardlink", "missing.txt")])
    with serve({"/b.tar.gz": body}) as url:
        with pytest.raises(ValueError, match="member 'h'"):
            get_file("b.tar.gz", origin=url + "/b.tar.gz", extract=True)
    assert _everything(_home) == []
