"""FeatureSpace: one-step preprocessing of a dict of tabular features
(Keras 3's ``keras.utils.FeatureSpace``).

Each feature is declared by a type (``"float_normalized"``,
``"string_categorical"``, ...) or a ``FeatureSpace.<type>(...)`` spec; ``adapt``
learns vocabularies, means and bins from the data; calling the space on a dict of
arrays gives one concatenated float matrix (or a dict of encoded features).
``get_inputs`` / ``get_encoded_features`` give the same preprocessing as symbolic
tensors, to build a model that takes raw features.

Where cornu differs from Keras 3: Keras needs TensorFlow (``tf.data``) for
``adapt`` and for every call; cornu adapts on a dict of arrays or lists, or on any
iterable of such dicts (a cornu dataset, a ``PyDataset``, a list of batches;
``(features, labels)`` batches use their features), and computes with cornu's own
preprocessing layers. ``FeatureSpace.save`` is not available yet (``get_config`` /
``from_config`` round-trip the declaration, not the adapted state).
"""
import numpy as np

from cornu import ops
from cornu.layers.layer import Layer
from cornu.saving.serialization import (
    deserialize_keras_object, register_keras_serializable, serialize_keras_object,
)

_OUTPUT_MODES = ("int", "one_hot", "float")
_counter = {}


def _auto_name(prefix):
    _counter[prefix] = _counter.get(prefix, 0) + 1
    return f"{prefix}_{_counter[prefix]}" if _counter[prefix] > 1 else prefix


@register_keras_serializable(package="keras.utils.feature_space")
class Cross:
    """A crossing of features, hashed into ``crossing_dim`` bins."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": list(self.feature_names), "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@register_keras_serializable(package="keras.utils.feature_space")
class Feature:
    """One feature: its input dtype, its preprocessing layer and how it is encoded."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in _OUTPUT_MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot', 'float'}}. Received: output_mode={output_mode}")
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        preprocessor = config["preprocessor"]
        if isinstance(preprocessor, dict):
            from cornu import layers
            config["preprocessor"] = layers.deserialize(preprocessor)
        return cls(**config)


def _column(x):
    """A feature column as a 2D numpy array ``(batch, 1)`` (scalars become one row)."""
    x = np.asarray(x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray) else x)
    if x.dtype.kind == "O":
        x = x.astype(str)
    return x.reshape(1, 1) if x.ndim == 0 else (x[:, None] if x.ndim == 1 else x)


@register_keras_serializable(package="keras.utils")
class FeatureSpace(Layer):
    """Preprocess a dict of structured features into model inputs.

    Args:
        features: a dict from feature name to a type name (``"float"``,
            ``"float_rescaled"``, ``"float_normalized"``, ``"float_discretized"``,
            ``"integer_categorical"``, ``"string_categorical"``, ``"integer_hashed"``,
            ``"string_hashed"``) or a ``FeatureSpace.<type>(...)`` spec.
        output_mode: ``"concat"`` (one float matrix) or ``"dict"``.
        crosses: feature crosses: tuples of feature names, or ``FeatureSpace.cross``.
        crossing_dim: the hashing space of the crosses given as tuples.
        hashing_dim: the bins of ``"*_hashed"`` features given by name.
        num_discretization_bins: the bins of ``"float_discretized"`` given by name.
        name: the layer's name.

    Example:

    >>> space = FeatureSpace({"age": "float_normalized", "city": "string_categorical"})
    >>> space.adapt({"age": [20.0, 40.0], "city": ["Paris", "Lima"]})
    >>> space({"age": [30.0], "city": ["Lima"]}).shape  # (1, 1 + 3)
    """

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("dict", "concat"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'dict', 'concat'}}. Received: output_mode={output_mode}")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {name: self._standardize_feature(name, spec)
                         for name, spec in features.items()}
        self.crosses = [self._standardize_cross(c, set(features)) for c in (crosses or [])]
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        from cornu import layers
        self.crossers = {c.name: layers.HashedCrossing(c.crossing_dim, name=c.name)
                         for c in self.crosses}
        self.one_hot_encoders = {}
        self.inputs = None
        self.encoded_features = None
        self._is_adapted = False

    # ------------------------------------------------------------ feature specs

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        from cornu import layers
        name = name or _auto_name("float")
        return Feature("float32", layers.Identity(name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        from cornu import layers
        name = name or _auto_name("float_rescaled")
        return Feature("float32", layers.Rescaling(scale=scale, offset=offset,
                                                   name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name=None):
        from cornu import layers
        name = name or _auto_name("float_normalized")
        return Feature("float32", layers.Normalization(axis=-1, name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot",
                          name=None):
        from cornu import layers
        name = name or _auto_name("float_discretized")
        return Feature("float32", layers.Discretization(
            num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor"),
            output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None):
        from cornu import layers
        name = name or _auto_name("integer_categorical")
        return Feature("int32", layers.IntegerLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens,
            num_oov_indices=num_oov_indices), output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None):
        from cornu import layers
        name = name or _auto_name("string_categorical")
        return Feature("string", layers.StringLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens,
            num_oov_indices=num_oov_indices), output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        from cornu import layers
        name = name or _auto_name("string_hashed")
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor",
                                                num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        from cornu import layers
        name = name or _auto_name("integer_hashed")
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor",
                                               num_bins=num_bins), output_mode)

    def _standardize_feature(self, name, spec):
        if isinstance(spec, Feature):
            return spec
        if isinstance(spec, dict):
            return deserialize_keras_object(spec)
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                self.num_discretization_bins, name=name),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if spec not in makers:
            raise ValueError(f"Invalid feature type for '{name}': {spec!r}. Expected one of "
                             f"{sorted(makers)} or a FeatureSpace.<type>(...) spec.")
        return makers[spec]()

    def _standardize_cross(self, cross, names):
        if isinstance(cross, dict):
            cross = deserialize_keras_object(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                             "(dimensionality of the crossing space) should be specified "
                             "as well.")
        unknown = [k for k in cross if k not in names]
        if unknown:
            raise ValueError("All features referenced in the `crosses` argument should be "
                             f"present in the `features` dict. Received unknown features: "
                             f"{unknown}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ------------------------------------------------------------ adapt

    def _adaptable(self):
        from cornu import layers
        out = []
        for name, pre in self.preprocessors.items():
            if isinstance(pre, layers.Normalization) and getattr(pre, "input_mean", None) \
                    is not None:
                continue  # a Normalization given its mean and variance
            if hasattr(pre, "adapt"):
                out.append(name)
        return out

    def adapt(self, dataset, verbose=1):
        """Learn each feature's vocabulary, statistics or bins from ``dataset``: a dict of
        arrays (or lists), or an iterable of such dicts (``(features, labels)`` pairs
        use their features)."""
        names = self._adaptable()
        if isinstance(dataset, dict):
            batches = [dataset]
        elif hasattr(dataset, "__iter__"):
            batches = (b[0] if isinstance(b, tuple) else b for b in dataset)
        else:
            raise ValueError("`adapt()` can only be called on a dict of arrays/lists or an "
                             f"iterable of such dicts. Received instead: {type(dataset)}")
        columns = {name: [] for name in names}
        for batch in batches:
            if not isinstance(batch, dict):
                raise ValueError("FeatureSpace.adapt() expects batches that are dicts of "
                                 f"features. Received a batch of type {type(batch)}")
            for name in names:
                if name not in batch:
                    raise ValueError(f"Feature '{name}' is missing from the data given to "
                                     f"adapt(); received features {sorted(batch)}.")
                columns[name].append(_column(batch[name]))
        for name in names:
            self.preprocessors[name].adapt(np.concatenate(columns[name], axis=0))
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it.")
            self._is_adapted = True

    # ------------------------------------------------------------ encoding

    def get_inputs(self):
        """A dict of ``cornu.Input`` (shape ``(1,)``), one per feature."""
        self._check_if_adapted()
        self.get_encoded_features()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features of ``get_inputs()``: symbolic tensors for a model."""
        self._check_if_adapted()
        if self.encoded_features is None:
            from cornu.layers import Input
            self.inputs = {name: Input(shape=(1,), dtype=f.dtype, name=name)
                           for name, f in self.features.items()}
            self.encoded_features = self._encode(self.inputs)
        return self.encoded_features

    def _encode(self, data):
        pre = {name: self.preprocessors[name](data[name]) for name in sorted(self.features)}
        crossed = {c.name: self.crossers[c.name]([pre[n] for n in c.feature_names])
                   for c in sorted(self.crosses, key=lambda c: c.name)}
        specs = dict(self.features, **{c.name: c for c in self.crosses})
        out = {}
        for name, value in list(pre.items()) + list(crossed.items()):
            if specs[name].output_mode == "one_hot":
                value = self._one_hot_encoder(name, value)(value)
            out[name] = value
        if self.output_mode == "dict":
            return out
        for name, value in out.items():
            dtype = str(getattr(value, "dtype", ""))
            if "int" in dtype or "str" in dtype:
                raise ValueError(f"Cannot concatenate features because feature '{name}' has "
                                 f"not been encoded (it has dtype {dtype}). Consider using "
                                 "`output_mode='dict'`.")
        return ops.concatenate([ops.cast(v, "float32") for v in out.values()], axis=-1)

    def _one_hot_encoder(self, name, value):
        from cornu import layers
        if name not in self.one_hot_encoders:
            pre = self.preprocessors.get(name) or self.crossers.get(name)
            if isinstance(pre, (layers.IntegerLookup, layers.StringLookup)):
                size = pre.vocabulary_size()
            elif isinstance(pre, layers.CategoryEncoding):
                size = pre.num_tokens
            elif isinstance(pre, (layers.Discretization, layers.Hashing,
                                  layers.HashedCrossing)):
                size = pre.num_bins
            else:
                raise ValueError(
                    f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a "
                    "standard feature and the dimensionality of its output space is not "
                    "known, thus it cannot be one-hot encoded. Try using `output_mode='int'`.")
            self.one_hot_encoders[name] = layers.CategoryEncoding(num_tokens=size,
                                                                  output_mode="multi_hot")
        return self.one_hot_encoders[name]

    def __call__(self, data):
        """Encode a dict of feature arrays (a batch, or one sample of scalars)."""
        if not isinstance(data, dict):
            raise ValueError("A FeatureSpace can only be called with a dict. "
                             f"Received: data of type {type(data)}")
        self._check_if_adapted()
        if any(hasattr(v, "_keras_history") or type(v).__name__ == "KerasTensor"
               for v in data.values()):
            return self._encode(data)
        missing = [n for n in self.features if n not in data]
        if missing:
            raise ValueError(f"FeatureSpace: features {missing} are missing; received "
                             f"{sorted(data)}.")
        single = all(np.ndim(data[n]) == 0 for n in self.features)
        columns = {n: _column(data[n]) for n in self.features}
        out = self._encode(columns)
        if single:
            out = ops.squeeze(out, axis=0) if self.output_mode == "concat" else {
                k: ops.squeeze(v, axis=0) for k, v in out.items()}
        return out

    def get_config(self):
        return {"name": self.name,
                "features": {n: serialize_keras_object(f) for n, f in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [serialize_keras_object(c) for c in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
