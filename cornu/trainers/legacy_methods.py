"""Keras 2's model methods: ``fit_generator``, ``evaluate_generator``,
``predict_generator``, ``predict_classes`` and ``predict_proba``.

Keras 3 removed them (``fit`` / ``evaluate`` / ``predict`` take generators and
``PyDataset`` objects); cornu keeps them, with a ``DeprecationWarning``, so
Keras 2 programs run. Each one hands its data to its modern counterpart, with
Keras 2's semantics for steps: a ``Sequence`` (``PyDataset``, an
``ImageDataGenerator().flow(...)`` iterator) gives ``len()`` batches per epoch,
in a new order each epoch when ``shuffle=True``, its ``on_epoch_end`` run after
each; a ``steps_per_epoch`` other than ``len()`` reads it in a cycle. A Python
generator needs ``steps_per_epoch``.
"""
import math
import warnings

import numpy as np

# Keras 1 spellings of the generator methods' arguments, as Keras 2 converted them.
_KERAS1 = {"nb_epoch": "epochs", "nb_val_samples": "validation_steps",
           "samples_per_epoch": "steps_per_epoch", "val_samples": "steps",
           "nb_worker": "workers", "pickle_safe": "use_multiprocessing",
           "max_q_size": "max_queue_size"}


def _deprecated(old, new):
    warnings.warn(f"`model.{old}()` is a Keras 2 method, removed in Keras 3: use "
                  f"`model.{new}()`, which takes generators and `PyDataset` objects too.",
                  DeprecationWarning, stacklevel=3)


def _keras1_arguments(method, kwargs, batch_sources):
    """Translate Keras 1 arguments; ``*_samples`` counts become steps by dividing by the
    generator's ``batch_size`` where it has one (Keras 2 did that for
    ``samples_per_epoch`` only; a Keras 1 program meant samples for both)."""
    from cornu.layers.layer import unknown_argument_error
    out = {}
    for name, value in kwargs.items():
        if name not in _KERAS1:
            import inspect
            valid = [p for p in inspect.signature(method).parameters
                     if p not in ("self", "kwargs")]
            raise unknown_argument_error(f"{method.__name__}()", name, valid)
        new = _KERAS1[name]
        warnings.warn(f"`{name}` is a Keras 1 argument of {method.__name__}(); use `{new}` "
                      "instead" + (" (a number of batches, not of samples)." if
                                   name.endswith("samples") or name == "samples_per_epoch"
                                   else "."), DeprecationWarning, stacklevel=3)
        batch_size = getattr(batch_sources.get(new), "batch_size", None)
        if name in ("samples_per_epoch", "nb_val_samples", "val_samples") and isinstance(
                batch_size, int) and value is not None:
            value = max(1, math.ceil(value / batch_size))
        out[new] = value
    return out


def _is_sequence(data):
    return hasattr(data, "__getitem__") and hasattr(data, "__len__") and not isinstance(
        data, (tuple, list, dict, np.ndarray))


def _cycle(sequence, shuffle):
    """Batches of ``sequence`` forever, pass after pass (its ``on_epoch_end`` between
    passes), the batch order shuffled per pass when ``shuffle``: Keras 2's enqueuer."""
    while True:
        count = len(sequence)
        order = np.random.permutation(count) if shuffle else range(count)
        for i in order:
            yield sequence[int(i)]
        if hasattr(sequence, "on_epoch_end"):
            sequence.on_epoch_end()


class _EpochOrder:
    """A Sequence whose batches are read in a new random order each epoch when
    ``shuffle`` (Keras 2's ``fit_generator(shuffle=True)``); its ``on_epoch_end`` runs
    at the end of every epoch, as Keras 2's enqueuer ran it."""

    def __init__(self, sequence, shuffle):
        self.sequence = sequence
        self.shuffle = shuffle
        self._order = None
        self._new_order()

    def _new_order(self):
        self._order = np.random.permutation(len(self.sequence)) if self.shuffle else None

    def __len__(self):
        return len(self.sequence)

    def __getitem__(self, index):
        return self.sequence[int(self._order[index]) if self._order is not None else index]

    def on_epoch_end(self):
        if hasattr(self.sequence, "on_epoch_end"):
            self.sequence.on_epoch_end()
        self._new_order()


def _as_steps(steps, argument):
    """``steps`` as an int: Keras 2 took floats (``len(x) / 32``) and ran the partial
    batch too, so a float rounds up."""
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, (int, float, np.integer,
                                                         np.floating)) or steps <= 0:
        raise ValueError(f"`{argument}` must be a positive number of batches; received "
                         f"{argument}={steps!r}.")
    return int(math.ceil(steps))


def _batches(data, steps, argument, shuffle=False):
    """``(data, steps)`` for fit / evaluate / predict: a Sequence is read one pass per
    epoch, or, when ``steps`` differs from its length, as a cycling generator of
    ``steps`` batches per epoch; a generator needs ``steps``."""
    steps = _as_steps(steps, argument)
    if _is_sequence(data) and steps in (None, len(data)):
        return _EpochOrder(data, shuffle), len(data)  # one pass per epoch
    if _is_sequence(data):
        return _cycle(data, shuffle), steps
    if steps is None and hasattr(data, "__next__"):
        raise ValueError(
            f"`{argument}` is needed when the data is a Python generator: it sets how many "
            "batches make one epoch (a generator may never end). Pass it, e.g. "
            f"`{argument}=len(x_train) // batch_size`, or pass a `keras.utils.Sequence` / "
            "`PyDataset`, whose length gives it.")
    return data, steps


class LegacyMethods:
    """Keras 2's methods of ``Model`` (mixed into ``Trainer``), each warning with a
    ``DeprecationWarning`` that names its Keras 3 replacement."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0, **kwargs):
        """Keras 2: train on batches from a generator or a ``Sequence``; use ``fit``.

        Args:
            generator: a Python generator yielding ``(x, y)`` or ``(x, y,
                sample_weight)`` batches (it may loop forever), or a
                ``keras.utils.Sequence`` / ``PyDataset`` such as
                ``ImageDataGenerator().flow(x, y)``.
            steps_per_epoch: batches per epoch; default ``len(generator)`` for a
                Sequence, required for a Python generator. A float rounds up.
            epochs: the epoch to stop after.
            verbose: 0, 1 (progress bar) or 2 (one line per epoch).
            callbacks: a list of callbacks.
            validation_data: a generator or Sequence of batches, or ``(x_val, y_val)``
                / ``(x_val, y_val, sample_weight)`` arrays.
            validation_steps: batches per validation; default ``len()`` of a Sequence,
                required for a validation generator.
            validation_freq: validate every this many epochs.
            class_weight: ``{class index: weight}``, applied to every batch.
            max_queue_size, workers, use_multiprocessing: accepted and ignored: cornu
                reads the batches one after another in the training thread (for
                parallel loading, use a torch ``DataLoader`` with ``num_workers``).
            shuffle: shuffle the order of a Sequence's batches at each pass (a Python
                generator is read as it yields).
            initial_epoch: the epoch to start at (to resume a training).

        Returns:
            The ``History`` of the training, as ``fit`` returns it.

        As in Keras 2, a Sequence's ``on_epoch_end`` runs after each epoch of
        ``len()`` batches; with another ``steps_per_epoch`` it is read in a cycle (an
        epoch goes on where the last one stopped), ``on_epoch_end`` after each pass.
        Keras 1's ``samples_per_epoch``, ``nb_epoch``, ``nb_val_samples`` are
        translated (samples become batches using the generator's ``batch_size``).
        """
        if kwargs:
            kwargs = _keras1_arguments(LegacyMethods.fit_generator, kwargs, {
                "steps_per_epoch": generator, "validation_steps": validation_data})
            steps_per_epoch = kwargs.get("steps_per_epoch", steps_per_epoch)
            epochs = kwargs.get("epochs", epochs)
            validation_steps = kwargs.get("validation_steps", validation_steps)
        _deprecated("fit_generator", "fit")
        data, steps = _batches(generator, steps_per_epoch, "steps_per_epoch", shuffle)
        if validation_data is not None and not (
                isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3)):
            validation_data, validation_steps = _batches(
                validation_data, validation_steps, "validation_steps")
        return self.fit(data, steps_per_epoch=steps, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        """Keras 2: the loss and metrics on batches from a generator; use ``evaluate``.

        Args:
            generator: a generator or ``Sequence`` of ``(x, y)`` / ``(x, y,
                sample_weight)`` batches.
            steps: batches to evaluate; default ``len(generator)`` for a Sequence,
                required for a Python generator.
            callbacks: a list of callbacks.
            max_queue_size, workers, use_multiprocessing: accepted and ignored (the
                batches are read in the calling thread).
            verbose: 0 or 1.

        Returns:
            What ``evaluate`` returns: the loss, or a list of the loss and metrics.
        """
        if kwargs:
            steps = _keras1_arguments(LegacyMethods.evaluate_generator, kwargs,
                                      {"steps": generator}).get("steps", steps)
        _deprecated("evaluate_generator", "evaluate")
        data, steps = _batches(generator, steps, "steps")
        return self.evaluate(data, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        """Keras 2: the model's outputs on batches from a generator; use ``predict``.

        Args:
            generator: a generator or ``Sequence`` of batches (``x``, or ``(x, y)``
                whose ``y`` is ignored).
            steps: batches to predict; default ``len(generator)`` for a Sequence,
                required for a Python generator.
            callbacks: a list of callbacks.
            max_queue_size, workers, use_multiprocessing: accepted and ignored (the
                batches are read in the calling thread).
            verbose: 0 or 1.

        Returns:
            The outputs as numpy arrays, the batches concatenated, as ``predict``.
        """
        if kwargs:
            steps = _keras1_arguments(LegacyMethods.predict_generator, kwargs,
                                      {"steps": generator}).get("steps", steps)
        _deprecated("predict_generator", "predict")
        data, steps = _batches(generator, steps, "steps")
        return self.predict(data, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0, **kwargs):
        """Keras 2: class indices, the argmax of ``predict`` over the last axis, or
        ``(proba > 0.5).astype("int32")`` for a single (sigmoid) output unit."""
        warnings.warn(
            "`model.predict_classes()` is a Keras 2 method; use "
            "`np.argmax(model.predict(x), axis=-1)` (softmax outputs) or "
            '`(model.predict(x) > 0.5).astype("int32")` (a sigmoid output) instead.',
            DeprecationWarning, stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose, **kwargs)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0, **kwargs):
        """Keras 2: ``predict`` (the model's outputs are taken as probabilities)."""
        warnings.warn("`model.predict_proba()` is a Keras 2 method; use `model.predict()` "
                      "instead.", DeprecationWarning, stacklevel=2)
        return self.predict(x, batch_size=batch_size, verbose=verbose, **kwargs)
