"""TensorBoard: write training logs that TensorBoard reads (no TensorFlow needed)."""
import os
import time
import warnings

import numpy as np

from cornu import backend
from cornu.callbacks.callback import Callback

_EMBEDDING_TENSOR = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"


class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Writes event files under ``log_dir/train`` and ``log_dir/validation``: the
    epoch's metrics as scalars ``epoch_<metric>`` (validation metrics without
    their ``val_`` prefix, in the validation run), the learning rate, and
    optionally per-batch scalars, weight histograms and images, and the model's
    graph. View them with ``tensorboard --logdir=<log_dir>``.

    Args:
        log_dir: the folder of the logs. Do not share it with other callbacks.
        histogram_freq: write a histogram of every weight each ``histogram_freq``
            epochs (0: never).
        write_graph: write the model's layer graph (and its JSON config, which
            TensorBoard's graph view draws as a conceptual graph).
        write_images: write weights as images alongside the histograms.
        write_steps_per_second: also log the training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` (every batch) or an integer N: write
            per-batch scalars ``batch_<metric>`` every N batches. Reading batch logs
            waits for the device each batch, so only ask for them when wanted.
        profile_batch: must be 0: profiling is not available in cornu.
        embeddings_freq: each ``embeddings_freq`` epochs, save the weights for the
            Embedding Projector (0: never).
        embeddings_metadata: a metadata file for every ``Embedding`` layer, or a dict
            mapping layer names to metadata files.

    Example:

    ```python
    tensorboard = cornu.callbacks.TensorBoard(log_dir="./logs", histogram_freq=1)
    model.fit(x_train, y_train, epochs=2, callbacks=[tensorboard])
    # then: tensorboard --logdir=./logs
    ```
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if profile_batch not in (0, None, "0", (0, 0), [0, 0]):
            raise ValueError(
                f"Profiling is not yet available with the {backend.backend()} backend in "
                f"cornu. Received: profile_batch={profile_batch!r} (must be 0).")
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(
                "`update_freq` must be 'epoch', 'batch' or a positive integer (write batch "
                f"logs every N batches). Received: update_freq={update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0
        self._graph_written = False
        self._test_ended = False
        self._epoch_start_time = 0.0
        self._previous_epoch_iterations = 0
        self._batch_start_time = 0.0

    # ------------------------------------------------------------ setup

    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        # Batch hooks live on the instance, and only when batch logs are wanted:
        # CallbackList skips (and never reads from the device) hooks nobody defines.
        for hook, method in (("on_train_batch_begin", self._batch_begin),
                             ("on_train_batch_end", self._batch_end)):
            if self.update_freq != "epoch":
                setattr(self, hook, method)
            else:
                self.__dict__.pop(hook, None)

    def _writer(self, run):
        """The writer of ``run`` ("train" or "validation"), opened on first use: a fresh
        event file after each ``close``."""
        writer = self._writers.get(run)
        if writer is None or writer.closed:
            from cornu.utils.summary_writer import SummaryWriter
            writer = self._writers[run] = SummaryWriter(
                self._train_dir if run == "train" else self._val_dir)
        return writer

    def _flush(self):
        for writer in self._writers.values():
            writer.flush()

    # ------------------------------------------------------------ hooks

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._graph_written = False
        if self.embeddings_freq:
            self._configure_embeddings()
        self._write_graph_once()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()

    def on_epoch_begin(self, epoch, logs=None):
        self._test_ended = False
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._write_graph_once()  # a model built by its first batch is drawn now
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self.model.save_weights(os.path.join(
                self._train_dir, f"keras_embedding.ckpt-{epoch}.weights.h5"))
        self._flush()

    def on_test_end(self, logs=None):
        self._test_ended = True
        self._log_evaluation(logs)
        self._flush()

    def _batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def _batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if step % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            writer.scalar("batch_steps_per_second", 1.0 / elapsed if elapsed else 0.0, step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                writer.scalar("batch_" + name, value, step)

    # ------------------------------------------------------------ what is written

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "iterations"):
            return None
        return int(backend.convert_to_numpy(optimizer.iterations))

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        learning_rate = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        if learning_rate is not None:
            train_logs["learning_rate"] = float(backend.convert_to_numpy(learning_rate))
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            steps = (self._iterations() or 0) - (self._previous_epoch_iterations or 0)
            train_logs["steps_per_second"] = steps / elapsed if elapsed else 0.0
        for run, run_logs in (("train", train_logs), ("validation", val_logs)):
            if run_logs:
                writer = self._writer(run)
                for name, value in run_logs.items():
                    writer.scalar("epoch_" + name, value, epoch)
        if val_logs and not self._test_ended:
            # Keras writes these from on_test_end during validation; cornu's fit
            # validates without test hooks, so write them here.
            self._log_evaluation(val_logs)

    def _log_evaluation(self, logs):
        """``evaluation_<metric>_vs_iterations`` in the validation run, at the
        optimizer's iteration count."""
        step = self._iterations()
        if not logs or step is None:
            return
        writer = self._writer("validation")
        for name, value in logs.items():
            writer.scalar(f"evaluation_{name}_vs_iterations", value, step)

    def _log_weights(self, epoch):
        writer = self._writer("train")
        seen = set()
        for layer in self.model.layers:
            for weight in layer.weights:
                if id(weight) in seen:
                    continue
                seen.add(id(weight))
                name = (getattr(weight, "path", None) or weight.name).replace(":", "_")
                values = backend.convert_to_numpy(weight)
                writer.histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    image = _weight_as_image(values)
                    if image is not None:
                        writer.image(f"{name}/image", image, epoch)

    def _write_graph_once(self):
        if not self.write_graph or self._graph_written or not getattr(self.model, "built",
                                                                      False):
            return
        self._graph_written = True
        from cornu.utils.summary_writer import graph_def
        writer = self._writer("train")
        writer.graph(graph_def(_layer_graph(self.model)))
        if type(self.model).__name__ in ("Functional", "Sequential"):
            try:
                config = self.model.to_json()
            except Exception as exc:  # a model that cannot serialize still trains
                warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}")
                return
            # TensorBoard's graph view draws this as the "conceptual graph".
            writer.text_tensor("keras", config, 0, plugin_name="graph_keras_model",
                               content=b"1")

    def _configure_embeddings(self):
        """Write ``projector_config.pbtxt`` for the Embedding layers, as Keras does."""
        from cornu.layers import Embedding
        metadata = self.embeddings_metadata
        pending = dict(metadata) if isinstance(metadata, dict) else {}
        entries = []
        for layer in self.model.layers:
            if isinstance(layer, Embedding):
                entry = f'  tensor_name: "{_EMBEDDING_TENSOR}"\n'
                path = metadata if isinstance(metadata, str) else pending.pop(layer.name, None)
                if path is not None:
                    entry += f'  metadata_path: "{path}"\n'
                entries.append("embeddings {\n" + entry + "}\n")
        if pending:
            raise ValueError(
                "Unrecognized `Embedding` layer names passed to `TensorBoard`'s "
                f"`embeddings_metadata` argument: {sorted(pending)}")
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write("".join(entries))


def _layer_graph(model):
    """``(name, op, inputs, output_shapes)`` per layer: the layer graph walked back from
    the model's outputs, or the bare layers of a model without one (subclassed)."""
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs:
        return [(layer.name, type(layer).__name__, [], []) for layer in model.layers]
    from cornu.models.functional import map_graph
    nodes, _, _ = map_graph(list(inputs), list(outputs))
    graph = {}  # layer name -> [op, inputs, shapes]; a shared layer is one node
    for node in nodes:
        entry = graph.setdefault(node.layer.name, [type(node.layer).__name__, [], []])
        for parent in node.parent_nodes:
            if parent.layer.name not in entry[1]:
                entry[1].append(parent.layer.name)
        if not entry[2]:
            entry[2] = [tuple(getattr(x, "shape", ())) for x in node.outputs]
    return [(name, op, ins, shapes) for name, (op, ins, shapes) in graph.items()]


def _weight_as_image(weight):
    """A weight as a (height, width, 1) image, or None, reshaped as Keras reshapes it:
    a bias as a row, a kernel wide side horizontal, a conv kernel's first channel."""
    w = np.squeeze(weight)
    if w.ndim == 1:
        return w[None, :, None]
    if w.ndim == 2:
        return (w.T if w.shape[0] > w.shape[1] else w)[:, :, None]
    if w.ndim == 3:
        if backend.image_data_format() == "channels_last":
            w = np.transpose(w, (2, 0, 1))
        return w[0][:, :, None]
    if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
        return w[0]
    return None
