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
import os
import posixpath
import zipfile

from cornu.saving.errors import CorruptFileError, LoadingError, UnsafeFileError

# A member or dataset larger than the floor must not expand more than the ratio
# over what the file stores. Keras writes archive members uncompressed (1:1) and
# DEFLATE tops out near 1032:1, so these leave room for any genuine file.
ZIP_BOMB_FLOOR = 16 << 20
ZIP_MAX_RATIO = 100
ZIP_MAX_TOTAL = 64 << 30
# All members together may expand to at most ZIP_TOTAL_RATIO times the archive's own
# size, or ZIP_TOTAL_FLOOR if that is more (many small members each under the
# per-member floor would otherwise add up to gigabytes). The environment variable
# overrides the limit, in bytes, for a trusted file that needs more.
ZIP_TOTAL_FLOOR = 64 << 20
ZIP_TOTAL_RATIO = 20
ZIP_LIMIT_ENV = "CORNU_MAX_UNCOMPRESSED_BYTES"
_CHUNK = 1 << 20
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
        limit, why = uncompressed_limit(_source_size(path_or_file))
        if total > limit:
            raise UnsafeFileError(
                f"Not allowed: the members of {what} add up to {readable_size(total)} "
                f"uncompressed (the limit is {readable_size(limit)}: {why}); refusing a "
                "potential zip bomb. If you trust the file, set the environment variable "
                f"{ZIP_LIMIT_ENV} to a larger number of bytes.")
    except BaseException:
        archive.close()
        raise
    return archive


def uncompressed_limit(file_size):
    """``(bytes, reason)``: how much an archive of ``file_size`` bytes may expand to."""
    override = os.environ.get(ZIP_LIMIT_ENV)
    if override:
        try:
            value = int(override)
        except ValueError:
            raise ValueError(f"The environment variable {ZIP_LIMIT_ENV} must be a number "
                             f"of bytes; received {override!r}.") from None
        return value, f"set by {ZIP_LIMIT_ENV}"
    if file_size is None:
        return ZIP_MAX_TOTAL, "the largest archive cornu reads"
    limit = min(ZIP_MAX_TOTAL, max(ZIP_TOTAL_FLOOR, ZIP_TOTAL_RATIO * file_size))
    return limit, (f"{ZIP_TOTAL_RATIO} times the file's {readable_size(file_size)}, at "
                   f"least {readable_size(ZIP_TOTAL_FLOOR)}")


def _source_size(path_or_file):
    if hasattr(path_or_file, "seek") and hasattr(path_or_file, "tell"):
        try:
            here = path_or_file.tell()
            size = path_or_file.seek(0, io.SEEK_END)
            path_or_file.seek(here)
            return size
        except (OSError, ValueError):
            return None
    try:
        return os.path.getsize(path_or_file)
    except (TypeError, OSError):
        return None


def extract_member(archive, info, target, what):
    """Copy one member to the file ``target`` in chunks (never whole in memory),
    refusing a member whose content differs in length from what it declares."""
    with reading(f"{info.filename!r} in {what}"):
        written = 0
        with archive.open(info, "r") as source, open(target, "wb") as out:
            while True:
                chunk = source.read(min(_CHUNK, info.file_size + 1 - written))
                if not chunk:
                    break
                written += len(chunk)
                if written > info.file_size:
                    break
                out.write(chunk)
        if written != info.file_size:
            raise CorruptFileError(f"{info.filename!r} in {what} holds {written} bytes but "
                                   f"declares {info.file_size}: the archive is damaged.")


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


# Entries that give a layer's input shape. Weights of width-dependent layers (Dense,
# Conv, RNNs: ``units`` / ``filters``) grow with the input's last dimension.
_SHAPE_KEYS = ("batch_shape", "batch_input_shape", "input_shape", "shape")
_WIDTH_KEYS = ("units", "filters")
# Input shapes bound weights only loosely (the widest layer may sit deep in the
# model), so that bound gets a larger floor: 64M scalars, 256 MiB of float32.
INPUT_SIZE_FLOOR = 1 << 26


def check_config_sizes(config, stored_scalars, what):
    """Refuse configs that would allocate far more scalars than the weights file holds:
    a layer whose size entries (``units``, ``filters``, ``kernel_size``...) times the
    last dimension of its ``build_config`` input shape exceed what is stored, or an
    input shape whose last dimension times the widest layer would."""
    limit = stored_scalars + CONFIG_SIZE_FLOOR
    widest = [1]
    widths = []

    def refuse(detail, declared, floor_note=""):
        raise UnsafeFileError(
            f"Not allowed: {detail} in {what} ({declared:,} scalars) but the weights file "
            f"stores only {stored_scalars:,}{floor_note}; refusing to allocate them.")

    def walk(node):
        if isinstance(node, list):
            for v in node:
                walk(v)
            return
        if not isinstance(node, dict):
            return
        declared = math.prod(_size(node[k]) for k in _SIZE_KEYS if k in node)
        if declared > limit:
            keys = {k: node[k] for k in _SIZE_KEYS if k in node}
            refuse(f"a layer config declares sizes {keys}", declared)
        if any(k in node for k in _WIDTH_KEYS):
            widest[0] = max(widest[0], declared)
        inner, build = node.get("config"), node.get("build_config")
        if isinstance(inner, dict) and isinstance(build, dict):
            width = _last_dim(build.get("input_shape"))
            if any(k in inner for k in _WIDTH_KEYS):
                own = math.prod(_size(inner[k]) for k in _SIZE_KEYS if k in inner)
                if own * width > limit:
                    refuse(f"layer {inner.get('name')!r} declares "
                           f"{ {k: inner[k] for k in _SIZE_KEYS if k in inner} } on inputs "
                           f"of shape {build.get('input_shape')}", own * width)
        for key in _SHAPE_KEYS:
            if key in node:
                widths.append((_last_dim(node[key]), node[key]))
        for v in node.values():
            walk(v)

    walk(config)
    for width, shape in widths:
        if width * widest[0] > stored_scalars + INPUT_SIZE_FLOOR:
            refuse(f"an input shape {shape} feeds layers of {widest[0]:,} units/filters",
                   width * widest[0], f" (plus a margin of {INPUT_SIZE_FLOOR:,})")


def _size(value):
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return abs(value)
    if isinstance(value, float) and math.isfinite(value):
        return abs(int(value))
    if isinstance(value, (list, tuple)):
        return math.prod(_size(v) for v in value if v is not None)
    return 1


def _last_dim(shape):
    """The last dimension of a shape (of the first shape, for a list of shapes)."""
    if isinstance(shape, dict):  # a dict of input shapes: the widest
        return max((_last_dim(v) for v in shape.values()), default=1)
    if isinstance(shape, (list, tuple)) and shape:
        if isinstance(shape[0], (list, tuple, dict)):
            return max(_last_dim(v) for v in shape)
        last = shape[-1]
        return _size(last) if last is not None else 1
    return 1


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
