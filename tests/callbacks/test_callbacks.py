"""Callbacks: EarlyStopping, learning-rate callbacks, CSVLogger, TerminateOnNaN, ..."""
import csv
import http.server
import json
import threading

import numpy as np
import pytest

import cornu as keras
from cornu import callbacks, layers


def _model(lr=0.01):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype("float32")
    return x, x @ np.array([[1.0], [2.0]], "float32")


class Scripted(callbacks.Callback):
    """Replaces val_loss in the logs with a scripted sequence (runs before the others)."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


def test_early_stopping_patience_and_restore_best_weights():
    x, y = _data()
    model = _model()
    seen = []
    keeper = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(
        model.get_weights()))
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[
        Scripted([5, 3, 4, 4, 1, 0, 0, 0, 0, 0]), keeper, stop])
    assert len(history.history["loss"]) == 4 and stop.stopped_epoch == 3
    assert stop.best == 3 and stop.best_epoch == 1
    for w, best in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(w, best)


def test_early_stopping_baseline_start_from_epoch_and_mode():
    x, y = _data()
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=1, baseline=0.5)
    h = _model().fit(x, y, epochs=10, verbose=0, callbacks=[Scripted([1] * 10), stop])
    assert len(h.history["loss"]) == 2
    late = callbacks.EarlyStopping(monitor="val_loss", patience=0, start_from_epoch=3)
    h = _model().fit(x, y, epochs=10, verbose=0, callbacks=[Scripted([1] * 10), late])
    assert len(h.history["loss"]) == 5
    assert callbacks.EarlyStopping(monitor="val_accuracy")._watch.mode == "max"
    with pytest.warns(UserWarning, match="not available.*loss"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping()])


def test_learning_rate_scheduler_and_logs():
    x, y = _data()
    model = _model(0.1)
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)
    h = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched])
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
    one_arg = callbacks.LearningRateScheduler(lambda epoch: 0.01)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[one_arg])
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.01)


def test_reduce_lr_on_plateau():
    x, y = _data()
    model = _model(1.0)
    cb = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.2,
                                     cooldown=1)
    h = model.fit(x, y, epochs=8, verbose=0, callbacks=[Scripted([1] * 8), cb])
    # No improvement after epoch 0: reduced at the ends of epochs 2, 4 and 6 (the cooldown
    # epoch counts towards the next wait, as in Keras), floored at min_lr.
    np.testing.assert_allclose(h.history["learning_rate"], [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=2)


def test_csv_logger_writes_and_appends(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    model = _model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "loss", "mae"] and [r[0] for r in rows[1:]] == ["0", "1", "0"]
    assert all(float(r[1]) > 0 for r in rows[1:])


def test_terminate_on_nan():
    x, y = _data()
    y[5] = np.nan
    model = _model()
    seen = []
    h = model.fit(x, y, epochs=5, batch_size=8, verbose=0, shuffle=False, callbacks=[
        callbacks.TerminateOnNaN(),
        callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))])
    assert len(h.history["loss"]) == 1 and seen == [0]


def test_lambda_callback_hooks_and_bad_name():
    x, y = _data()
    events = []
    cb = callbacks.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                                  on_epoch_end=lambda e, logs: events.append(e),
                                  on_train_end=lambda logs: events.append("end"))
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert events == ["begin", 0, 1, "end"]
    with pytest.raises(TypeError, match="on_epoch_end"):
        callbacks.LambdaCallback(on_epoch_ends=print)


def test_remote_monitor_posts_json_to_a_local_server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        x, y = _data()
        root = f"http://127.0.0.1:{server.server_address[1]}"
        _model().fit(x, y, epochs=2, verbose=0, callbacks=[
            callbacks.RemoteMonitor(root=root, path="/epoch", send_as_json=True)])
    finally:
        server.shutdown()
    assert [p for p, _ in received] == ["/epoch", "/epoch"]
    assert received[1][1]["epoch"] == 1 and "loss" in received[1][1]
