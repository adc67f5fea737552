"""TensorBoard: event files read back with TensorBoard's own reader."""
import glob
import io
import os
import struct

import numpy as np
import pytest

import cornu as keras
from cornu import callbacks, layers
from cornu.utils import summary_writer

_ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0}


def _accumulator(path, **kwargs):
    """TensorBoard's own reader (the CRC tests run without tensorboard installed)."""
    reader = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    return reader.EventAccumulator(path, **kwargs)


def _load(run_dir):
    """The EventAccumulator of the one event file in ``run_dir``."""
    files = glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))
    assert len(files) == 1, files
    acc = _accumulator(files[0], size_guidance=_ALL)
    acc.Reload()
    return acc


def _scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def _model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n=40):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, n)


# ------------------------------------------------------------------ the writer


def test_crc32c_known_vectors():
    assert summary_writer.crc32c(b"123456789") == 0xE3069283
    assert summary_writer.crc32c(b"") == 0
    assert summary_writer.crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720, B.4
    assert summary_writer.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert summary_writer.crc32c(bytes(range(32))) == 0x46DD794E


def test_masked_crc_and_record_framing_match_tensorboard():
    pywrap_tensorflow = pytest.importorskip("tensorboard.compat.tensorflow_stub.pywrap_tensorflow")
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert summary_writer.masked_crc32c(data) == pywrap_tensorflow.masked_crc32c(data)
    record = summary_writer.tfrecord(b"hello")
    assert struct.unpack("<Q", record[:8])[0] == 5 and record[12:17] == b"hello"
    assert len(record) == 8 + 4 + 5 + 4


def test_writer_file_version_scalar_histogram_image_and_graph(tmp_path):
    with summary_writer.SummaryWriter(tmp_path / "run") as writer:
        writer.scalar("zero", 0.0, step=0)  # a zero value must still be a value
        writer.scalar("big", 1e40, step=1)
        writer.histogram("h", np.arange(10.0), step=3)
        writer.histogram("constant", np.ones(4), step=3)
        writer.image("img", np.linspace(-1, 1, 12).reshape(3, 4), step=2)
        writer.graph(summary_writer.graph_def([("a", "InputLayer", [], [(None, 2)]),
                                               ("b", "Dense", ["a"], [])]))
    name = os.path.basename(writer.path)
    assert name.startswith("events.out.tfevents.") and name.endswith(".v2")
    acc = _load(tmp_path / "run")
    assert acc.file_version == 2.0  # the reader parses "brain.Event:2"
    assert _scalars(acc, "zero") == [(0, 0.0)]
    assert _scalars(acc, "big") == [(1, float("inf"))]
    histo = acc.Histograms("h")[0]
    assert histo.step == 3
    value = histo.histogram_value
    assert (value.min, value.max, value.num, value.sum, value.sum_squares) == (
        0, 9, 10, 45, 285)
    assert sum(value.bucket) == 10 and value.bucket_limit[-1] == 9
    assert acc.Histograms("constant")[0].histogram_value.bucket == [4.0]
    image = acc.Images("img")[0]
    assert (image.height, image.width, image.step) == (3, 4, 2)
    from PIL import Image
    png = Image.open(io.BytesIO(image.encoded_image_string))
    assert png.size == (4, 3) and png.mode == "L"
    pixels = np.asarray(png)
    assert pixels[0, 0] == 0 and pixels[-1, -1] == 254  # -1 -> 0, 1 -> 254 (0 -> 127)
    graph = acc.Graph()
    assert [(n.name, n.op, list(n.input)) for n in graph.node] == [
        ("a", "InputLayer", []), ("b", "Dense", ["a"])]
    dims = graph.node[0].attr["_output_shapes"].list.shape[0].dim
    assert [d.size for d in dims] == [-1, 2]


def test_closed_writer_refuses_to_write(tmp_path):
    writer = summary_writer.SummaryWriter(tmp_path)
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.scalar("x", 1.0, step=0)


# ------------------------------------------------------------------ the callback


def test_epoch_scalars_match_history_in_train_and_validation_runs(tmp_path):
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.TensorBoard(tmp_path)])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = _load(tmp_path / "train"), _load(tmp_path / "validation")
    for run, prefix in ((train, ""), (val, "val_")):
        for metric in ("loss", "accuracy"):
            steps, values = zip(*_scalars(run, "epoch_" + metric))
            assert steps == (0, 1, 2)
            np.testing.assert_allclose(values, history.history[prefix + metric], rtol=1e-6)
    assert _scalars(train, "epoch_learning_rate") == [(0, pytest.approx(0.05)),
                                                      (1, pytest.approx(0.05)),
                                                      (2, pytest.approx(0.05))]
    assert "epoch_learning_rate" not in val.Tags()["scalars"]
    assert not any(t.startswith("batch_") for t in train.Tags()["scalars"])
    # Keras's evaluation scalars, at the optimizer's iteration count (4 steps an epoch).
    assert [s for s, _ in _scalars(val, "evaluation_loss_vs_iterations")] == [4, 8, 12]
    assert "learning_rate" not in history.history  # the callback does not touch the logs


def test_epoch_update_freq_defines_no_batch_hooks():
    tensorboard = callbacks.TensorBoard()
    cbs = callbacks.CallbackList([tensorboard], model=_model())
    assert not cbs.wants("on_train_batch_end") and not cbs.wants("on_train_batch_begin")
    tensorboard.update_freq = 2
    cbs = callbacks.CallbackList([tensorboard], model=_model())
    assert cbs.wants("on_train_batch_end")


@pytest.mark.parametrize("update_freq, steps", [("batch", list(range(1, 11))), (3, [3, 6, 9])])
def test_batch_scalars_with_update_freq(tmp_path, update_freq, steps):
    x, y = _data()
    history = _model().fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[
        callbacks.TensorBoard(tmp_path, update_freq=update_freq)])
    train = _load(tmp_path / "train")
    batch_loss = _scalars(train, "batch_loss")
    assert [s for s, _ in batch_loss] == steps
    assert [s for s, _ in _scalars(train, "batch_accuracy")] == steps
    if update_freq == "batch":  # the last batch of an epoch logs the epoch's mean
        assert batch_loss[4][1] == pytest.approx(history.history["loss"][0], rel=1e-6)
    assert len(_scalars(train, "epoch_loss")) == 2


def test_histograms_every_histogram_freq_epochs_and_images(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.TensorBoard(tmp_path, histogram_freq=2, write_images=True)])
    train = _load(tmp_path / "train")
    tags = [w.path + "/histogram" for w in model.weights]
    assert sorted(train.Tags()["histograms"]) == sorted(tags)
    kernel = train.Histograms("dense/kernel/histogram")
    assert [e.step for e in kernel] == [0, 2]
    assert kernel[-1].histogram_value.num == 4 * 5
    final = model.get_layer("dense").kernel.numpy()
    assert kernel[-1].histogram_value.max == pytest.approx(final.max())
    assert "dense/kernel/image" in train.Tags()["images"]


def test_graph_of_a_branching_functional_model(tmp_path):
    inputs = keras.Input((4,), name="features")
    a = layers.Dense(3, name="left")(inputs)
    b = layers.Dense(2, name="right")(inputs)
    outputs = layers.Dense(1, name="head")(layers.Concatenate(name="join")([a, b]))
    model = keras.Model(inputs, outputs)
    model.compile("sgd", "mse")
    x, _ = _data(8)
    model.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[callbacks.TensorBoard(tmp_path)])
    train = _load(tmp_path / "train")
    assert train.Tags()["graph"]
    nodes = {n.name: (n.op, list(n.input)) for n in train.Graph().node}
    assert nodes == {"features": ("InputLayer", []), "left": ("Dense", ["features"]),
                     "right": ("Dense", ["features"]), "join": ("Concatenate", ["left", "right"]),
                     "head": ("Dense", ["join"])}
    # The Keras config, which TensorBoard's graph view draws as the conceptual graph.
    assert train.Tags()["tensors"] == ["keras"]
    config = train.Tensors("keras")[0].tensor_proto.string_val[0]
    assert b'"class_name": "Functional"' in config


def test_graph_of_a_sequential_built_by_its_first_batch_and_no_graph_when_off(tmp_path):
    model = keras.Sequential([layers.Dense(2), layers.Dense(1)])
    model.compile("sgd", "mse")
    x, _ = _data(8)
    model.fit(x, x[:, :1], epochs=1, verbose=0,
              callbacks=[callbacks.TensorBoard(tmp_path / "on")])
    ops = [n.op for n in _load(tmp_path / "on" / "train").Graph().node]
    assert ops == ["InputLayer", "Dense", "Dense"]
    model.fit(x, x[:, :1], epochs=1, verbose=0,
              callbacks=[callbacks.TensorBoard(tmp_path / "off", write_graph=False)])
    tags = _load(tmp_path / "off" / "train").Tags()
    assert not tags["graph"] and tags["tensors"] == []


def test_seed_004_run_folder_with_spaces(tmp_path):
    run = os.path.join(tmp_path, "RUN 1 with 5 nodes")
    logger = callbacks.TensorBoard(log_dir=run, write_graph=True, histogram_freq=0)
    model = keras.Sequential([keras.Input((100,)), layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    x = np.random.default_rng(1).normal(size=(16, 100)).astype("float32")
    model.fit(x, np.eye(10)[np.arange(16) % 10], epochs=5, callbacks=[logger], verbose=0)
    events = glob.glob(os.path.join(run, "**", "events.out.tfevents.*"), recursive=True)
    assert events
    tags = set()
    for event_file in events:
        acc = _accumulator(event_file)
        acc.Reload()
        tags |= set(acc.Tags().get("scalars", [])) | set(acc.Tags().get("tensors", []))
    assert "epoch_loss" in tags


def test_each_fit_writes_a_new_file_and_evaluate_logs_to_validation(tmp_path):
    x, y = _data()
    model = _model()
    tensorboard = callbacks.TensorBoard(tmp_path)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[tensorboard])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[tensorboard])
    assert len(glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))) == 2
    loss = model.evaluate(x, y, verbose=0, callbacks=[tensorboard])[0]
    val = _load(tmp_path / "validation")  # at step 4: two fits of two batches
    assert _scalars(val, "evaluation_loss_vs_iterations") == [(4, pytest.approx(loss))]


def test_steps_per_second_and_embeddings(tmp_path):
    model = keras.Sequential([keras.Input((3,), dtype="int32"),
                              layers.Embedding(10, 2, name="words"), layers.Flatten(),
                              layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.arange(24).reshape(8, 3) % 10
    model.fit(x, np.ones((8, 1)), epochs=2, verbose=0, batch_size=4, callbacks=[
        callbacks.TensorBoard(tmp_path, write_steps_per_second=True, update_freq=1,
                              embeddings_freq=1, embeddings_metadata={"words": "m.tsv"})])
    train = _load(tmp_path / "train")
    assert len(train.Scalars("epoch_steps_per_second")) == 2
    assert len(train.Scalars("batch_steps_per_second")) == 4
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'metadata_path: "m.tsv"' in config and "embeddings/.ATTRIBUTES" in config
    assert (tmp_path / "train" / "keras_embedding.ckpt-1.weights.h5").exists()


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="profile_batch"):
        callbacks.TensorBoard(tmp_path, profile_batch=2)
    with pytest.raises(ValueError, match="update_freq"):
        callbacks.TensorBoard(tmp_path, update_freq="step")
    with pytest.raises(ValueError, match="nope"):
        model = keras.Sequential([keras.Input((3,), dtype="int32"), layers.Embedding(10, 2)])
        model.compile("sgd", "mse")
        model.fit(np.zeros((2, 3), "int32"), np.zeros((2, 3, 2)), verbose=0, callbacks=[
            callbacks.TensorBoard(tmp_path, embeddings_freq=1,
                                  embeddings_metadata={"nope": "m.tsv"})])
