"""Guards for reading files that may be hostile: zip archives and HDF5 files.

Reading a model file must never write outside memory, follow a link to another
file, allocate far more than the file holds, or run code. Each guard raises
``UnsafeFileError`` (refused on purpose) or ``CorruptFileError`` (damaged); every
other failure of the zip and HDF5 readers is turned into ``CorruptFileError``
by ``reading``, so callers see only cornu's documented errors.
"""
import contextlib
import io
import json
import math
import posixpath
import zipfile

from cornu.saving.errors import CorruptFileError, LoadingError, UnsafeFileError

# A member or dataset larger than the floor must not expand more than the ratio
# over what the file stores. Keras writes archive members uncompressed (1:1) and
# DEFLATE tops out near 1032:1, so these leave room for any genuine file.
ZIP_BOMB_FLOOR = 16 << 20
ZIP_MAX_RATIO = 100
ZIP_MAX_TOTAL = 64 << 30
ZIP_MAX_MEMBERS = 100_000
H5_BOMB_FLOOR = 16 << 20
H5_MAX_RATIO = 1000
H5_MAX_DEPTH = 64
H5_MAX_OBJECTS = 1_000_000
JSON_MAX_BYTES = 256 << 20

_NUMERIC_KINDS = frozenset("biuf")  # bool, int, uint, float


@contextlib.contextmanager
def reading(what):
    """Turn any failure of the readers while reading ``what`` into ``CorruptFileError``.

    cornu's own ``LoadingError`` subclasses pass through unchanged."""
    try:
        yield
    except LoadingError:
        raise
    except (MemoryError, RecursionError) as e:
        raise CorruptFileError(f"Could not read {what}: it is too large or too deeply "
                               f"nested to load ({type(e).__name__}).") from e
    except Exception as e:  # zipfile, h5py, json and numpy raise many kinds
        raise CorruptFileError(
            f"Could not read {what}: the file is damaged, truncated or not in the expected "
            f"format ({type(e).__name__}: {e}).") from e


def readable_size(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


# ---------------------------------------------------------------- zip archives

def _check_member_name(name):
    parts = name.replace("\\", "/").split("/")
    if (name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]
            or "\x00" in name):
        raise UnsafeFileError(
            f"Not allowed: the archive member {name!r} points outside the archive (an "
            "absolute path or a '..' component). Refusing to load the file.")


def open_zip(path_or_file, what):
    """A ``ZipFile`` for reading whose members were all checked: names inside the
    archive, sizes and expansion ratios within the limits."""
    with reading(what):
        archive = zipfile.ZipFile(path_or_file, "r")
    try:
        infos = archive.infolist()
        if len(infos) > ZIP_MAX_MEMBERS:
            raise UnsafeFileError(f"Not allowed: {what} has {len(infos)} members (at most "
                                  f"{ZIP_MAX_MEMBERS}).")
        total = 0
        for info in infos:
            _check_member_name(info.filename)
            if info.flag_bits & 0x1:
                raise CorruptFileError(f"{what}: member {info.filename!r} is encrypted; "
                                       "cornu reads only unencrypted archives.")
            total += info.file_size
            if (info.file_size > ZIP_BOMB_FLOOR
                    and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)):
                raise UnsafeFileError(
                    f"Not allowed: archive member {info.filename!r} of {what} declares "
                    f"{readable_size(info.file_size)} but stores only "
                    f"{readable_size(info.compress_size)}; refusing a potential zip bomb.")
        if total > ZIP_MAX_TOTAL:
            raise UnsafeFileError(
                f"Not allowed: the members of {what} add up to {readable_size(total)} "
                f"uncompressed (the limit is {readable_size(ZIP_MAX_TOTAL)}); refusing a "
                "potential zip bomb.")
    except BaseException:
        archive.close()
        raise
    return archive


def read_member(archive, name, what, limit=None):
    """The bytes of one member, refusing more than ``limit`` bytes."""
    with reading(f"{name!r} in {what}"):
        try:
            info = archive.getinfo(name)
        except KeyError:
            raise CorruptFileError(f"{what} has no member {name!r}: it is not a complete "
                                   "Keras archive.") from None
        if limit is not None and info.file_size > limit:
            raise UnsafeFileError(f"Not allowed: {name!r} in {what} declares "
                                  f"{readable_size(info.file_size)} (at most "
                                  f"{readable_size(limit)}).")
        with archive.open(info, "r") as f:
            data = f.read(info.file_size + 1)
        if len(data) != info.file_size:
            raise CorruptFileError(f"{name!r} in {what} holds {len(data)} bytes but declares "
                                   f"{info.file_size}: the archive is damaged.")
        return data


def parse_json(data, what):
    """A JSON document (bytes) as Python data; nothing but plain data is produced."""
    if len(data) > JSON_MAX_BYTES:
        raise UnsafeFileError(f"Not allowed: {what} is {readable_size(len(data))} of JSON "
                              f"(at most {readable_size(JSON_MAX_BYTES)}).")
    with reading(what):
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)


# ---------------------------------------------------------------- HDF5

def open_h5(source, what):
    """An h5py File for reading, after checking every object in it (``check_h5``)."""
    import h5py
    with reading(what):
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(source)
        h5 = h5py.File(source, "r")
    try:
        check_h5(h5, what, _file_size(source))
    except BaseException:
        h5.close()
        raise
    return h5


def _file_size(source):
    if isinstance(source, io.BytesIO):
        return len(source.getbuffer())
    try:
        import os
        return os.path.getsize(source)
    except (TypeError, OSError):
        return None


def check_h5(h5, what, file_size=None):
    """Walk every link of an open HDF5 file: no soft or external links, no external
    or virtual datasets, only numeric datasets, and no dataset (nor the whole file)
    declaring far more data than is stored."""
    import h5py
    seen = [0]
    declared_total = [0]

    def walk(group, prefix, depth):
        if depth > H5_MAX_DEPTH:
            raise UnsafeFileError(f"Not allowed: {what} nests groups deeper than "
                                  f"{H5_MAX_DEPTH} levels at {prefix!r} (a link cycle?).")
        for name in group:
            seen[0] += 1
            if seen[0] > H5_MAX_OBJECTS:
                raise UnsafeFileError(f"Not allowed: {what} holds more than "
                                      f"{H5_MAX_OBJECTS} objects.")
            path = f"{prefix}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                kind = "an external link" if isinstance(link, h5py.ExternalLink) else (
                    "a soft link")
                raise UnsafeFileError(
                    f"Not allowed: {what} holds {kind} at {path!r}. cornu never follows "
                    "HDF5 links; refusing to load the file.")
            obj = group[name]
            if isinstance(obj, h5py.Group):
                walk(obj, path, depth + 1)
            elif isinstance(obj, h5py.Dataset):
                declared_total[0] += check_dataset(obj, path, what)
            else:
                raise CorruptFileError(f"{what}: unexpected object {type(obj).__name__} "
                                       f"at {path!r}.")

    with reading(what):
        walk(h5, "", 0)
        if file_size is not None and declared_total[0] > H5_BOMB_FLOOR and (
                declared_total[0] > H5_MAX_RATIO * max(file_size, 1)):
            raise UnsafeFileError(
                f"Not allowed: the datasets of {what} declare "
                f"{readable_size(declared_total[0])} in a file of {readable_size(file_size)}; "
                "refusing a potential shape bomb.")


def check_dataset(ds, path, what):
    """Refuse a dataset that is external, virtual, non-numeric, or declares far more
    bytes than it stores. Returns its declared size in bytes."""
    if ds.external:
        raise UnsafeFileError(f"Not allowed: {what} holds a dataset at {path!r} whose data "
                              "lives in another file (external storage).")
    if ds.is_virtual:
        raise UnsafeFileError(f"Not allowed: {what} holds a virtual dataset at {path!r} "
                              "(its data may come from other files).")
    if ds.dtype.kind not in _NUMERIC_KINDS and not _is_bfloat16(ds):
        raise CorruptFileError(f"{what}: dataset {path!r} has dtype {ds.dtype}; weights "
                               "are numbers (bool, int or float).")
    shape = ds.shape or ()
    declared = math.prod(shape) * ds.dtype.itemsize
    stored = ds.id.get_storage_size()
    if declared > H5_BOMB_FLOOR and declared > H5_MAX_RATIO * max(stored, 1):
        raise UnsafeFileError(
            f"Not allowed: dataset {path!r} of {what} declares shape {shape} "
            f"({readable_size(declared)}) but stores only {readable_size(stored)}; refusing "
            "a potential shape bomb.")
    return declared


def read_dataset(ds, path, what):
    """A checked dataset's values as a numpy array."""
    import numpy as np
    check_dataset(ds, path, what)
    with reading(f"dataset {path!r} of {what}"):
        if _is_bfloat16(ds):  # 16-bit patterns: the high half of a float32
            raw = np.asarray(ds[()]).view(np.uint16).astype(np.uint32) << 16
            return raw.view(np.float32)
        return np.asarray(ds[()])


def _is_bfloat16(ds):
    tag = ds.attrs.get("dtype") if "dtype" in ds.attrs else None
    return tag in ("bfloat16", b"bfloat16") and ds.dtype.itemsize == 2


def read_string_list(attrs, name, what):
    """An attribute holding a list of names (``layer_names``, ``weight_names``)."""
    import numpy as np
    with reading(f"attribute {name!r} of {what}"):
        if name not in attrs:
            return []
        value = attrs[name]
        items = np.atleast_1d(np.asarray(value)).tolist() if not isinstance(
            value, (bytes, str)) else [value]
        out = []
        for item in items:
            if isinstance(item, bytes):
                item = item.decode("utf-8")
            if not isinstance(item, str):
                raise CorruptFileError(f"{what}: attribute {name!r} should list names; it "
                                       f"holds {item!r}.")
            out.append(item)
        return out


def safe_join(*parts):
    """Join HDF5 path parts; refuse parts that would climb out of a group."""
    path = posixpath.join(*[p for p in parts if p])
    if ".." in path.split("/"):
        raise UnsafeFileError(f"Not allowed: HDF5 path {path!r} contains '..'.")
    return path


# ---------------------------------------------------------------- configs

# Config entries that size a layer's weights. A layer config asking for more scalars
# than the whole weights file stores would allocate memory the file cannot fill.
_SIZE_KEYS = ("units", "filters", "kernel_size", "input_dim", "output_dim",
              "depth_multiplier", "num_heads", "key_dim", "value_dim", "output_shape",
              "max_tokens", "num_bins", "num_tokens")
CONFIG_SIZE_FLOOR = 1 << 16


def check_config_sizes(config, stored_scalars, what):
    """Refuse layer configs whose size entries (``units``, ``filters``,
    ``kernel_size``...) multiply to far more scalars than the weights file holds."""
    limit = stored_scalars + CONFIG_SIZE_FLOOR

    def size(value):
        if isinstance(value, bool):
            return 1
        if isinstance(value, int):
            return abs(value)
        if isinstance(value, (list, tuple)):
            return math.prod(size(v) for v in value if v is not None)
        return 1

    def walk(node):
        if isinstance(node, list):
            for v in node:
                walk(v)
            return
        if not isinstance(node, dict):
            return
        declared = math.prod(size(node[k]) for k in _SIZE_KEYS if k in node)
        if declared > limit:
            keys = {k: node[k] for k in _SIZE_KEYS if k in node}
            raise UnsafeFileError(
                f"Not allowed: a layer config in {what} declares sizes {keys} "
                f"({declared:,} scalars) but the weights file stores only "
                f"{stored_scalars:,}; refusing to allocate them.")
        for v in node.values():
            walk(v)

    walk(config)


def h5_scalar_count(h5):
    """The number of scalars the datasets of an open (checked) HDF5 file declare."""
    import h5py
    total = [0]

    def visit(_, obj):
        if isinstance(obj, h5py.Dataset):
            total[0] += math.prod(obj.shape or ())
    with reading("the weights file"):
        h5.visititems(visit)
    return total[0]
