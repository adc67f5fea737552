"""``cornu.export.ExportArchive``: Keras's API for choosing what an exported artifact holds."""
from cornu.export import export_utils

DEFAULT_ENDPOINT_NAME = "serve"
_FORMATS = {".onnx": "onnx", ".pt2": "torch"}


class ExportArchive:
    """Collect the layers and functions to export, then write them out as one artifact.

    ``track()`` registers layers or models, ``add_endpoint()`` a function with its input
    signature, ``add_variable_collection()`` variables to keep in the file, and
    ``write_out()`` writes it.

    Differences from Keras: Keras writes a TensorFlow SavedModel, which holds any number
    of endpoints. cornu writes ONNX (``format="onnx"``, or a path ending in ``.onnx``)
    or a ``torch.export`` program (``format="torch"``, ``.pt2``); each holds one
    computation graph, so an archive written here has exactly one endpoint (its name is
    free; several endpoints are an error that says so: write one file per endpoint). An
    endpoint must be given its ``input_signature`` (there are no traced
    ``tf.function``s to take it from).

    Example:

    ```python
    archive = cornu.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serve",
        fn=lambda x: model(x, training=False),
        input_signature=[cornu.InputSpec(shape=(None, 3), dtype="float32")],
    )
    archive.write_out("model.onnx")
    ```
    """

    def __init__(self, format=None):
        self.format = format
        self._tracked = []
        self._endpoints = {}
        self._collections = {}

    def track(self, resource):
        """Track a layer or model: the variables its endpoints read are exported.

        Args:
            resource: a ``cornu.layers.Layer`` (a model is one).
        """
        from cornu.layers.layer import Layer
        if not isinstance(resource, Layer):
            raise ValueError(
                "ExportArchive.track() takes a cornu layer or model; received "
                f"{resource!r} of type {type(resource).__name__}.")
        if not resource.built:
            raise ValueError(f"Layer '{resource.name}' is not built yet; call it on data "
                             "(or build it) before tracking it.")
        if all(r is not resource for r in self._tracked):
            self._tracked.append(resource)

    def add_endpoint(self, name, fn, input_signature=None, **kwargs):
        """Register a function to export.

        Args:
            name: the endpoint's name.
            fn: a callable that uses only the tracked layers' variables; it is called as
                ``fn(*args)`` with args shaped as ``input_signature``.
            input_signature: a list with one entry per positional argument of ``fn``:
                a ``cornu.InputSpec`` (shape and dtype), KerasTensor, tensor or shape
                tuple, or a list/dict of them. Required here.

        Returns:
            ``fn``.
        """
        if kwargs:
            raise TypeError(f"Unexpected arguments for add_endpoint: {sorted(kwargs)}.")
        if not isinstance(name, str) or not name:
            raise ValueError(f"An endpoint needs a non-empty string name; received {name!r}.")
        if name in self._endpoints:
            raise ValueError(f"Endpoint '{name}' is already registered.")
        if not callable(fn):
            raise TypeError(f"`fn` must be callable; received {fn!r}.")
        if input_signature is None:
            raise ValueError(
                f"Endpoint '{name}': `input_signature` is required in cornu (Keras can take "
                "it from a traced tf.function). Pass e.g. "
                "input_signature=[cornu.InputSpec(shape=(None, 3), dtype='float32')].")
        signature = export_utils.standardize_signature(input_signature)
        self._endpoints[name] = (fn, signature)
        return fn

    def track_and_add_endpoint(self, name, resource, input_signature, **kwargs):
        """``track(resource)`` and an endpoint calling it with ``training=False``.

        Args:
            name: the endpoint's name.
            resource: a layer or model.
            input_signature: as for ``add_endpoint``.

        Returns:
            The endpoint function.
        """
        self.track(resource)

        def endpoint(*args):
            return resource(*args, training=False)
        return self.add_endpoint(name, endpoint, input_signature, **kwargs)

    def add_variable_collection(self, name, variables):
        """Keep a named set of variables in the file.

        In an ONNX file they are initializers named ``"{name}/{variable.path}"``
        (``onnx.load(path).graph.initializer``, ``onnx.numpy_helper.to_array``); a
        ``.pt2`` program has no room for them (an error says so).

        Args:
            name: the collection's name.
            variables: a list, tuple or set of ``cornu.Variable``.
        """
        from cornu import backend
        if not isinstance(name, str) or not name:
            raise ValueError(f"A collection needs a non-empty string name; received {name!r}.")
        variables = list(variables) if isinstance(variables, (list, tuple, set)) else None
        if variables is None or not all(isinstance(v, backend.Variable) for v in variables):
            raise ValueError("`variables` must be a list, tuple or set of cornu Variables.")
        self._collections[name] = variables

    @property
    def variables(self):
        """All the tracked layers' variables."""
        return _unique([v for layer in self._tracked for v in layer.variables])

    @property
    def trainable_variables(self):
        """The tracked layers' trainable variables."""
        return _unique([v for layer in self._tracked for v in layer.trainable_variables])

    @property
    def non_trainable_variables(self):
        """The tracked layers' non-trainable variables."""
        return _unique([v for layer in self._tracked for v in layer.non_trainable_variables])

    def write_out(self, filepath, options=None, verbose=True, format=None):
        """Write the archive.

        Args:
            filepath: the destination (``.onnx`` or ``.pt2``).
            options: accepted for Keras compatibility (TensorFlow's SaveOptions); must be
                None here.
            verbose: whether to print a message once written.
            format: ``"onnx"`` or ``"torch"``; default: the constructor's ``format``, else
                from the file extension.
        """
        fmt = self._format(filepath, format)
        if options is not None:
            raise ValueError("`options` (tf.saved_model.SaveOptions) applies to SavedModel "
                             f"archives only; received {options!r} for format={fmt!r}.")
        if not self._endpoints:
            raise ValueError("No endpoint to write: call `add_endpoint()` first.")
        if len(self._endpoints) > 1:
            raise ValueError(
                f"This archive has {len(self._endpoints)} endpoints "
                f"({sorted(self._endpoints)}), but a {fmt!r} file holds one computation "
                "graph. Write one archive per endpoint (a TensorFlow SavedModel, which "
                "holds several, is not available in cornu).")
        (name, (fn, signature)), = self._endpoints.items()
        layers = _unique([sub for layer in self._tracked for sub in layer._flatten_layers()])
        if fmt == "onnx":
            from cornu.export.onnx import write_onnx
            write_onnx(fn, self.variables, layers, signature, filepath,
                       variable_collections=self._collections)
        else:
            if self._collections:
                raise ValueError(
                    "A .pt2 program holds only the variables its graph reads; variable "
                    f"collections ({sorted(self._collections)}) can be written with "
                    "format='onnx', or saved with `model.save_weights`.")
            from cornu.export.torch_program import write_program
            write_program(fn, self.variables, layers, signature, str(filepath))
        export_utils.print_saved(f"Saved endpoint '{name}' at '{filepath}'.", verbose)

    def _format(self, filepath, format):
        fmt = format or self.format
        if fmt is None:
            ext = "." + str(filepath).rsplit(".", 1)[-1] if "." in str(filepath) else ""
            fmt = _FORMATS.get(ext.lower())
            if fmt is None:
                raise ValueError(
                    f"Cannot tell the format from filepath={str(filepath)!r}: pass "
                    "format='onnx' or format='torch', or use a path ending in .onnx or "
                    ".pt2 (cornu cannot write a TensorFlow SavedModel folder).")
        if fmt in ("saved_model", "tf_saved_model"):
            from cornu.export.formats import tensorflow_format_error
            raise tensorflow_format_error("tf_saved_model")
        if fmt not in ("onnx", "torch"):
            raise ValueError(f"ExportArchive writes format='onnx' or 'torch'; received {fmt!r}.")
        return fmt


def _unique(items):
    seen, out = set(), []
    for x in items:
        if id(x) not in seen:
            seen.add(id(x))
            out.append(x)
    return out
