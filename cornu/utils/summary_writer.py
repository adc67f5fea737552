"""TensorBoard event files, written without TensorFlow or tensorboard.

An event file is a sequence of TFRecords, each holding one serialized ``Event``
protocol buffer. The few messages TensorBoard needs (Event, Summary,
HistogramProto, TensorProto, GraphDef) are encoded here by hand, field numbers
as in ``tensorboard/compat/proto/*.proto``. The first record of every file is
the ``file_version`` event TensorBoard looks for.
"""
import itertools
import os
import socket
import struct
import time
import zlib

import numpy as np

# ----------------------------------------------------------------- CRC-32C


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # Castagnoli, reflected
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """The CRC-32C (Castagnoli) checksum of ``data`` (bytes), as TFRecords use it."""
    table = _CRC_TABLE
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The masked CRC TFRecord framing stores (a CRC of a CRC would be weak)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    """One TFRecord: length (uint64 LE), its masked CRC, the data, the data's masked CRC."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


# ----------------------------------------------------------------- protobuf encoding
# Every field given is written, defaults included: oneof members (simple_value,
# histo, ...) must be present even when they hold zero.

def _varint(value):
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64 as two's complement, ten bytes
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field, wire_type):
    return _varint(field << 3 | wire_type)


def _int(field, value):
    return _key(field, 0) + _varint(int(value))


def _double(field, value):
    return _key(field, 1) + struct.pack("<d", float(value))


def _float(field, value):
    # numpy gives inf for values out of float32 range where struct.pack would raise.
    with np.errstate(over="ignore"):
        return _key(field, 5) + np.float32(value).tobytes()


def _bytes(field, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _key(field, 2) + _varint(len(data)) + data


def _packed_doubles(field, values):
    values = np.asarray(values, dtype="<f8")
    return _bytes(field, values.tobytes())


def event(step=0, wall_time=None, file_version=None, graph_def=None, summary=None):
    """An ``Event``: wall_time=1, step=2, then one of file_version=3, graph_def=4,
    summary=5 (a serialized ``Summary``)."""
    out = _double(1, time.time() if wall_time is None else wall_time) + _int(2, step)
    if file_version is not None:
        out += _bytes(3, file_version)
    if graph_def is not None:
        out += _bytes(4, graph_def)
    if summary is not None:
        out += _bytes(5, summary)
    return out


def summary_value(tag, simple_value=None, histo=None, image=None, tensor=None,
                  metadata=None):
    """One ``Summary.Value``: tag=1 and simple_value=2, image=4, histo=5, tensor=8 or
    metadata=9 (each but simple_value a serialized message)."""
    out = _bytes(1, tag)
    if simple_value is not None:
        out += _float(2, simple_value)
    if image is not None:
        out += _bytes(4, image)
    if histo is not None:
        out += _bytes(5, histo)
    if tensor is not None:
        out += _bytes(8, tensor)
    if metadata is not None:
        out += _bytes(9, metadata)
    return out


def summary(*values):
    """A ``Summary`` of serialized values (repeated field 1)."""
    return b"".join(_bytes(1, v) for v in values)


def histogram_proto(values, buckets=30):
    """A ``HistogramProto`` of ``values``: ``buckets`` equal-width buckets over
    [min, max]; bucket ``i`` counts the values up to ``bucket_limit[i]``."""
    values = np.asarray(values, dtype="float64").ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        lo = hi = 0.0
        limits, counts = [0.0], [0.0]
    else:
        lo, hi = float(values.min()), float(values.max())
        if lo == hi:
            limits, counts = [hi], [float(values.size)]
        else:
            counts, edges = np.histogram(values, bins=buckets, range=(lo, hi))
            limits = edges[1:]
    return (_double(1, lo) + _double(2, hi) + _double(3, values.size)
            + _double(4, values.sum()) + _double(5, np.dot(values, values))
            + _packed_doubles(6, limits) + _packed_doubles(7, counts))


def image_proto(image):
    """A ``Summary.Image`` holding ``image`` (height, width, channels of 1, 3 or 4) as
    PNG. Floats are scaled as TensorFlow 1 did: to [0, 255] when none is negative,
    else around 127 so that zero stays grey."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.dtype != np.uint8:
        image = image.astype("float64")
        finite = image[np.isfinite(image)]
        peak = float(np.abs(finite).max()) if finite.size else 0.0
        if finite.size and finite.min() >= 0:
            scale = 255.0 / peak if peak else 0.0
            image = image * scale
        else:
            scale = 127.0 / peak if peak else 0.0
            image = image * scale + 127.0
        image = np.clip(np.nan_to_num(image), 0, 255).astype(np.uint8)
    height, width, channels = image.shape
    return (_int(1, height) + _int(2, width) + _int(3, channels)
            + _bytes(4, _png(image)))


def _png(image):
    """A PNG file of a uint8 (height, width, channels) array (no filtering)."""
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = np.concatenate([np.zeros((height, 1), np.uint8),  # filter byte 0 per row
                           image.reshape(height, width * channels)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes())) + chunk(b"IEND", b""))


def string_tensor_proto(value):
    """A rank-0 ``TensorProto`` of dtype DT_STRING (7): dtype=1, tensor_shape=2 (empty:
    a scalar), string_val=8."""
    return _int(1, 7) + _bytes(2, b"") + _bytes(8, value)


def summary_metadata(plugin_name, content=b""):
    """A ``SummaryMetadata`` naming the plugin that reads the value
    (plugin_data=1 {plugin_name=1, content=2})."""
    return _bytes(1, _bytes(1, plugin_name) + _bytes(2, content))


def _shape_proto(shape):
    """A ``TensorShapeProto``: dim=2 {size=1}, -1 for an unknown size."""
    return b"".join(_bytes(2, _int(1, -1 if d is None else d)) for d in shape)


def graph_def(nodes):
    """A ``GraphDef`` (node=1) of ``(name, op, inputs, output_shapes)`` tuples, one
    ``NodeDef`` each: name=1, op=2, input=3, attr=5 with ``_output_shapes`` (the
    attribute TensorBoard's graph view labels edges with)."""
    out = b""
    for name, op, inputs, shapes in nodes:
        node = _bytes(1, name) + _bytes(2, op) + b"".join(_bytes(3, i) for i in inputs)
        if shapes:
            # AttrValue.list=1 {shape=7}, as the map entry {key=1, value=2}.
            shape_list = b"".join(_bytes(7, _shape_proto(s)) for s in shapes)
            entry = _bytes(1, "_output_shapes") + _bytes(2, _bytes(1, shape_list))
            node += _bytes(5, entry)
        out += _bytes(1, node)
    return out


# ----------------------------------------------------------------- the writer

_file_ids = itertools.count()


class SummaryWriter:
    """Writes one event file in ``logdir`` (made if missing), named as TensorFlow names
    them: ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2``.

    Example:

    ```python
    writer = SummaryWriter("logs/train")
    writer.scalar("epoch_loss", 0.25, step=0)
    writer.close()
    ```
    """

    def __init__(self, logdir):
        self.logdir = os.fspath(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
                f"{os.getpid()}.{next(_file_ids)}.v2")
        self.path = os.path.join(self.logdir, name)
        self._file = open(self.path, "wb")
        self.write_event(event(file_version="brain.Event:2"))
        self.flush()

    @property
    def closed(self):
        return self._file is None

    def write_event(self, serialized_event):
        if self._file is None:
            raise ValueError(f"The summary writer of {self.path!r} is closed.")
        self._file.write(tfrecord(serialized_event))

    def _write_values(self, step, *values):
        self.write_event(event(step=step, summary=summary(*values)))

    def scalar(self, tag, value, step):
        """A scalar (TensorBoard's ``Tags()['scalars']``)."""
        self._write_values(step, summary_value(tag, simple_value=float(value)))

    def histogram(self, tag, values, step, buckets=30):
        """A histogram of the array ``values``."""
        self._write_values(step, summary_value(tag, histo=histogram_proto(values, buckets)))

    def image(self, tag, image, step):
        """An image: a (height, width[, channels]) array."""
        self._write_values(step, summary_value(tag, image=image_proto(image)))

    def text_tensor(self, tag, text, step, plugin_name, content=b""):
        """A string tensor for a TensorBoard plugin (``Tags()['tensors']``)."""
        self._write_values(step, summary_value(
            tag, tensor=string_tensor_proto(text),
            metadata=summary_metadata(plugin_name, content)))

    def graph(self, serialized_graph_def):
        """A graph (``graph_def`` from this module) for TensorBoard's graph view."""
        self.write_event(event(graph_def=serialized_graph_def))

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
