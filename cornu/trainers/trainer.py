"""Trainer: compile, fit, evaluate, predict and the *_on_batch methods.

Backend-neutral: the backend's trainer subclass supplies ``train_step``,
``test_step`` and ``predict_step``. Metric values stay on the device during
an epoch; they are read when the progress bar draws, when a callback asks
for per-batch logs, and at the end of the epoch.
"""
import inspect
import warnings

import numpy as np

from cornu import backend, config, tree
from cornu.trainers import compile_utils
from cornu.trainers.logs import pythonify_logs as _pythonify
from cornu.trainers.legacy_methods import LegacyMethods
from cornu.trainers.model_metrics import ModelMetrics
from cornu.trainers.data_adapters import (
    check_verbose, get_data_adapter, unpack_x_y_sample_weight)

_FIT_LEGACY = {"nb_epoch": "epochs"}
_FIT_IGNORED = {"max_queue_size", "workers", "use_multiprocessing", "show_accuracy"}


def _auto_verbose(verbose):
    if verbose == "auto":
        from cornu.utils.progbar import _is_interactive
        return 1 if _is_interactive() else 2
    return check_verbose(verbose)


def _is_builtin(method):
    """Whether a step method is cornu's own rather than a user's override."""
    return getattr(method, "__module__", "").startswith("cornu.")


def _check_kwargs(method, kwargs):
    """Translate Keras 1/2 arguments of fit/evaluate/predict; refuse unknown ones."""
    from cornu.layers.layer import unknown_argument_error
    out = {}
    for name, value in kwargs.items():
        if name in _FIT_LEGACY:
            new = _FIT_LEGACY[name]
            warnings.warn(f"`{name}` is a Keras 1 argument of {method.__name__}(); use "
                          f"`{new}` instead.", DeprecationWarning, stacklevel=3)
            out[new] = value
        elif name in _FIT_IGNORED:
            warnings.warn(f"`{name}` has no effect in cornu; remove it.", DeprecationWarning,
                          stacklevel=3)
        else:
            valid = [p for p in inspect.signature(method).parameters if p not in (
                "self", "kwargs")]
            raise unknown_argument_error(f"{method.__name__}()", name, valid)
    return out


class Trainer(ModelMetrics, LegacyMethods):
    """Training and inference for ``Model`` (mixed in before Layer)."""

    compiled = False
    optimizer = None
    loss = None
    stop_training = False
    history = None
    _compile_loss = None
    _compile_metrics = None
    _loss_tracker = None
    _train_vars = None
    _train_function = None

    # ------------------------------------------------------------ compile

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configure the model for training.

        Args:
            optimizer: an optimizer name or instance.
            loss: a loss name, function or Loss; a list or dict for several outputs.
            loss_weights: weights of the outputs' losses (list or dict).
            metrics: metric names, functions or Metric instances (a list, or a list or dict
                per output). ``'accuracy'`` picks binary, categorical or sparse accuracy.
            weighted_metrics: metrics that take ``sample_weight`` into account.
            run_eagerly: always True in effect on torch (kept for compatibility).
            steps_per_execution: accepted for compatibility.
            jit_compile: compile the train step (``torch.compile`` on torch).
        """
        from cornu import metrics as metrics_module
        from cornu import optimizers
        for name in list(kwargs):
            if name in ("sample_weight_mode", "target_tensors", "distribute"):
                warnings.warn(f"compile(): `{name}` has no effect in cornu; remove it.",
                              DeprecationWarning, stacklevel=2)
                kwargs.pop(name)
        if kwargs:
            from cornu.layers.layer import unknown_argument_error
            valid = [p for p in inspect.signature(Trainer.compile).parameters
                     if p not in ("self", "kwargs")]
            raise unknown_argument_error("compile()", next(iter(kwargs)), valid)
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        names = self._output_names()
        self._compile_loss = compile_utils.CompileLoss(loss, loss_weights, names) if (
            loss is not None) else None
        self._compile_metrics = compile_utils.CompileMetrics(metrics, weighted_metrics, names)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.jit_compile = False if jit_compile == "auto" else bool(jit_compile)
        self.loss_weights = loss_weights
        self.compiled = True
        self._metrics_cache = None
        self._train_function = None
        self._train_vars = None

    def get_compile_config(self):
        """The arguments ``compile`` received, as JSON-friendly data (None before
        ``compile``). Saved in ``.keras`` files as ``compile_config``."""
        if not self.compiled:
            return None
        from cornu.saving.compile_state import compile_config
        return compile_config(self)

    def compile_from_config(self, config):
        """Compile from ``get_compile_config()``'s output, and build the optimizer so that
        saved optimizer state can be loaded into it."""
        if type(self).compile is not Trainer.compile:
            warnings.warn(
                f"`compile()` was not called as part of loading model '{self.name}': its "
                "class overrides `compile`, so the saved compile config cannot be replayed. "
                "Override `compile_from_config(config)` too, or compile after loading.",
                stacklevel=2)
            return
        from cornu.saving.compile_state import compile_arguments
        self.compile(**compile_arguments(config))
        if self.built and self.optimizer is not None:
            self.optimizer.build(self.trainable_weights)

    def _output_names(self):
        try:
            names = self.output_names
        except AttributeError:
            return None
        struct = getattr(self, "_outputs_struct", None)
        if isinstance(struct, dict):
            return sorted(struct)
        return list(names) if names else None

    def _assert_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(
                f"You must call `compile()` before `{what}()`: the model '{self.name}' has no "
                "optimizer and loss yet. Example: `model.compile(optimizer='adam', "
                "loss='mse')`.")

    # ------------------------------------------------------------ loss and metrics per step

    def _flatten_targets(self, y, y_pred):
        """Targets and predictions as aligned lists, one entry per output."""
        flat_pred = tree.flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        if isinstance(y, dict):
            names = self._output_names() or []
            missing = [n for n in names if n not in y]
            if missing or not names:
                raise ValueError(
                    f"The target dict has keys {sorted(y)} but the model's outputs are named "
                    f"{names}; missing {missing}. Key the targets by output name.")
            flat_true = [y[n] for n in names]
        elif isinstance(y, (list, tuple)) and (len(flat_pred) > 1 or len(y) == 1):
            flat_true = list(y)
        else:
            flat_true = [y]
        if len(flat_true) != len(flat_pred):
            raise ValueError(
                f"The model has {len(flat_pred)} outputs but {len(flat_true)} targets were "
                "given. Pass one target per output (a list, or a dict keyed by output name).")
        return flat_true, flat_pred

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        """``compute_loss``, passing ``training`` only to an override that takes it: the
        Keras 3.0-3.2 signature ``compute_loss(self, x, y, y_pred, sample_weight,
        allow_empty=False)`` is still common in published code."""
        cls = type(self)
        takes = cls.__dict__.get("_compute_loss_takes_training")
        if takes is None:
            params = inspect.signature(self.compute_loss).parameters
            takes = "training" in params
            cls._compute_loss_takes_training = takes
        if takes:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True,
                     allow_empty=False):
        """The compiled loss plus the model's added losses (regularizers, add_loss).

        Args:
            x: the inputs (unused by the default implementation).
            y: the targets.
            y_pred: the model's predictions.
            sample_weight: per-sample weights, or None.
            training: whether this is a training step (unused by default).
            allow_empty: return 0 instead of raising when there is no loss at all (the
                Keras 3.0-3.2 argument; Keras 3.15 no longer takes it).

        Returns:
            The scalar loss.
        """
        total = None
        if self._compile_loss is not None and y is not None:
            flat_true, flat_pred = self._flatten_targets(y, y_pred)
            sw = sample_weight
            if isinstance(sw, dict):
                sw = [sw.get(n) for n in self._output_names()]
            total = self._compile_loss(flat_true, flat_pred, sw)
        if self._has_extra_losses():
            extra = self.losses
            if extra:
                from cornu import ops
                added = extra[0]
                for value in extra[1:]:
                    added = ops.add(added, value)
                total = added if total is None else total + added
        if total is None and allow_empty:
            return backend.convert_to_tensor(0.0, dtype=backend.floatx())
        if total is None:
            raise ValueError(
                f"Model '{self.name}' has no loss to minimise: compile it with `loss=` (and pass "
                "targets `y`), or add losses with `add_loss`.")
        return total

    def _has_extra_losses(self):
        flag = getattr(self, "_extra_losses_flag", None)
        if flag is None:
            flag = any(v.regularizer is not None for v in self.weights) or any(
                layer.activity_regularizer is not None for layer in self._flatten_layers())
            self._extra_losses_flag = flag
        from cornu.layers import layer as layer_module
        return flag or layer_module._loss_state.added

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with one batch; return every metric's value."""
        if y is not None and self._compile_metrics is not None:
            flat_true, flat_pred = self._flatten_targets(y, y_pred)
            sw = sample_weight
            if isinstance(sw, dict):
                sw = [sw.get(n) for n in self._output_names()]
            losses = self._compile_loss.losses if self._compile_loss is not None else None
            self._compile_metrics.update_state(flat_true, flat_pred, sw, losses)
        return self._lazy_metrics_result()

    # ------------------------------------------------------------ fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Train the model for ``epochs`` epochs; returns a ``History``."""
        if kwargs:
            legacy = _check_kwargs(Trainer.fit, kwargs)
            epochs = legacy.get("epochs", epochs)
        self._assert_compiled("fit")
        verbose = _auto_verbose(verbose)
        epochs = config.capped_epochs(epochs)  # keras.config.set_max_epochs, for debugging
        steps_per_epoch = config.capped_steps(steps_per_epoch)
        if validation_split and validation_data is None:
            adapter = get_data_adapter(x, y, sample_weight, batch_size=batch_size)
            if not hasattr(adapter, "split"):
                raise ValueError("`validation_split` needs array inputs; pass "
                                 "`validation_data` for generators and datasets.")
            (x, y, sample_weight), validation_data = adapter.split(validation_split)
        self._check_sparse_labels(y)
        adapter = get_data_adapter(x, y, sample_weight, batch_size=batch_size,
                                   steps=steps_per_epoch, shuffle=shuffle,
                                   class_weight=class_weight)
        val_adapter = None
        if validation_data is not None:
            if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
                vx, vy, vsw = unpack_x_y_sample_weight(tuple(validation_data))
            else:
                vx, vy, vsw = validation_data, None, None
            val_adapter = get_data_adapter(vx, vy, vsw, batch_size=validation_batch_size or
                                           batch_size, steps=validation_steps)
        callbacks = self._callback_list(callbacks, verbose, epochs, adapter.num_batches(),
                                        mode="train")
        self.stop_training = False
        train_function = self.make_train_function()
        progbar = self._progbar(callbacks)
        want_begin = callbacks.wants("on_train_batch_begin")
        want_end = callbacks.wants("on_train_batch_end")
        callbacks.on_train_begin({})
        resume = self.__dict__.pop("_initial_epoch", None)  # set by BackupAndRestore
        if resume is not None:
            initial_epoch = resume
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch, {})
            logs = {}
            step = 0
            for step, batch in enumerate(adapter.epoch(), start=1):
                if want_begin:
                    callbacks.batch_hook("on_train_batch_begin", step - 1, {})
                logs = train_function(batch)
                if progbar is not None:
                    progbar.progress(step, lambda: list(_pythonify(logs).items()),
                                     finalize=False)
                if want_end:
                    callbacks.batch_hook("on_train_batch_end", step - 1, _pythonify(logs))
                if self.stop_training:
                    break
            if step == 0:
                raise ValueError("The training data produced no batch: check that `x` is not "
                                 "empty and that `steps_per_epoch` is positive.")
            epoch_logs = _pythonify(self._get_metrics_result_or_logs(logs))
            if val_adapter is not None and (epoch + 1) % validation_freq == 0:
                # The callbacks' test hooks run for the validation too, as in Keras
                # (SwapEMAWeights relies on them); the progress bar stays the epoch's.
                val_logs = self._evaluate_adapter(val_adapter, callbacks, in_fit=True)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if self.optimizer is not None and getattr(self.optimizer, "built", False):
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(epoch_logs)
        return self.history

    def _check_sparse_labels(self, y):
        """Labels out of range for a sparse crossentropy fail before training, not mid-epoch."""
        loss = self.loss
        name = getattr(loss, "__name__", None) or getattr(loss, "name", None) or loss
        if name not in ("sparse_categorical_crossentropy",) or y is None or isinstance(
                y, (dict, list, tuple)):
            return
        outputs = getattr(self, "outputs", None)
        if not outputs:
            return
        classes = outputs[0].shape[-1]
        labels = np.asarray(backend.convert_to_numpy(y))
        if classes is None or labels.size == 0:
            return
        low, high = labels.min(), labels.max()
        if low < 0 or high >= classes:
            raise ValueError(
                f"Labels for sparse_categorical_crossentropy must be integers in [0, "
                f"{classes - 1}] (the model has {classes} outputs); received labels from "
                f"{low} to {high}. Check the labels, or the size of the last layer.")

    def _callback_list(self, callbacks, verbose, epochs, steps, mode):
        from cornu.callbacks import CallbackList, History, ProgbarLogger
        callbacks = list(callbacks or [])
        if mode == "train":
            self.history = History()
            callbacks.append(self.history)
        if verbose and not any(isinstance(c, ProgbarLogger) for c in callbacks):
            callbacks.insert(0, ProgbarLogger())
        return CallbackList(callbacks, model=self, verbose=verbose, epochs=epochs, steps=steps,
                            mode=mode)

    @staticmethod
    def _progbar(callbacks):
        from cornu.callbacks import ProgbarLogger
        for cb in callbacks:
            if isinstance(cb, ProgbarLogger):
                return cb
        return None

    # ------------------------------------------------------------ evaluate and predict

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics on the given data: a float, a list, or a dict."""
        if kwargs:
            _check_kwargs(Trainer.evaluate, kwargs)
        self._assert_compiled("evaluate")
        verbose = _auto_verbose(verbose)
        self._check_sparse_labels(y)
        adapter = get_data_adapter(x, y, sample_weight, batch_size=batch_size,
                                   steps=config.capped_steps(steps))
        callbacks = self._callback_list(callbacks, verbose, 1, adapter.num_batches(),
                                        mode="test")
        logs = self._evaluate_adapter(adapter, callbacks)
        return self._format_results(logs, return_dict)

    def _evaluate_adapter(self, adapter, callbacks, in_fit=False):
        test_function = self.make_test_function()
        self.reset_metrics()
        progbar = self._progbar(callbacks) if callbacks is not None and not in_fit else None
        if callbacks is not None:
            callbacks.on_test_begin({})
        want_begin = callbacks is not None and callbacks.wants("on_test_batch_begin")
        want_end = callbacks is not None and callbacks.wants("on_test_batch_end")
        logs = {}
        for step, batch in enumerate(adapter.epoch(), start=1):
            if want_begin:
                callbacks.batch_hook("on_test_batch_begin", step - 1, {})
            logs = test_function(batch)
            if progbar is not None:
                progbar.progress(step, lambda: list(_pythonify(logs).items()), finalize=False)
            if want_end:
                callbacks.batch_hook("on_test_batch_end", step - 1, _pythonify(logs))
        logs = _pythonify(self._get_metrics_result_or_logs(logs))
        if callbacks is not None:
            if progbar is not None and progbar.progbar is not None:
                progbar.progbar.update(progbar.progbar._seen, list(logs.items()), finalize=True)
            callbacks.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                **kwargs):
        """The model's outputs on ``x``, batch by batch, as numpy arrays."""
        if kwargs:
            _check_kwargs(Trainer.predict, kwargs)
        verbose = _auto_verbose(verbose)
        adapter = get_data_adapter(x, batch_size=batch_size, steps=config.capped_steps(steps))
        callbacks = self._callback_list(callbacks, verbose, 1, adapter.num_batches(),
                                        mode="predict")
        predict_function = self.make_predict_function()
        progbar = self._progbar(callbacks)
        callbacks.on_predict_begin({})
        want_begin = callbacks.wants("on_predict_batch_begin")
        want_end = callbacks.wants("on_predict_batch_end")
        outputs = []
        step = 0
        for step, batch in enumerate(adapter.epoch(), start=1):
            if want_begin:
                callbacks.batch_hook("on_predict_batch_begin", step - 1, {})
            outputs.append(predict_function(batch))
            if want_end:
                callbacks.batch_hook("on_predict_batch_end", step - 1,
                                     {"outputs": outputs[-1]})
            if progbar is not None:
                progbar.progress(step, None, finalize=False)
        if progbar is not None and progbar.progbar is not None:
            progbar.progbar.update(step, None, finalize=True)
        callbacks.on_predict_end({})
        if not outputs:
            raise ValueError("predict() received no data: `x` is empty.")
        return tree.map_structure(
            lambda *parts: np.concatenate([backend.convert_to_numpy(p) for p in parts], axis=0),
            *outputs)

    # ------------------------------------------------------------ single batches

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One training step on one batch; returns the loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        adapter = get_data_adapter(x, y, sample_weight, batch_size=None,
                                   class_weight=class_weight)
        adapter.batch_size = max(adapter.num_samples, 1)
        self.reset_metrics()
        train_function = self.make_train_function()
        for batch in adapter.epoch():
            train_function(batch)
        return self._format_results(_pythonify(self.get_metrics_result()), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) of one batch, without training."""
        self._assert_compiled("test_on_batch")
        adapter = get_data_adapter(x, y, sample_weight, batch_size=None)
        adapter.batch_size = max(adapter.num_samples, 1)
        return self._format_results(self._evaluate_adapter(adapter, None), return_dict)

    def predict_on_batch(self, x):
        """The model's outputs on one batch, as numpy arrays."""
        out = self.make_predict_function()((x, None, None))
        return tree.map_structure(backend.convert_to_numpy, out)

    # ------------------------------------------------------------ step functions

    def make_train_function(self, force=False):
        return self._step_function(self.train_step)

    def make_test_function(self, force=False):
        return self._step_function(self.test_step)

    def make_predict_function(self, force=False):
        return self._step_function(self.predict_step)

    @staticmethod
    def _step_function(step):
        """``step`` for the adapters' ``(x, y, sample_weight)`` batches. A user's override
        receives the batch as Keras packs it (``x``, ``(x, y)`` or ``(x, y, sw)``), so
        ``x, y = data`` works; cornu's own steps take the triple as it is."""
        if _is_builtin(step):
            return step
        from cornu.utils.xy_utils import pack_x_y_sample_weight
        return lambda data: step(pack_x_y_sample_weight(*data))
