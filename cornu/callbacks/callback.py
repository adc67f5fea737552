"""Callback: hooks into fit / evaluate / predict."""


class Callback:
    """The base of callbacks: override the hooks you need.

    ``self.model`` is the model being trained and ``self.params`` holds
    ``epochs``, ``steps`` and ``verbose``. ``logs`` are dicts of floats.
    """

    def __init__(self):
        self.model = None
        self.params = {}
        self.validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass


_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
                "on_batch_begin", "on_batch_end")


def overrides(callback, hook):
    """True when ``callback`` defines ``hook`` (in its class or, as LambdaCallback does,
    on the instance) rather than inheriting the no-op base."""
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


class CallbackList:
    """Calls each hook on every callback in order. Batch hooks are skipped entirely
    (and logs never read from the device) when no callback defines them."""

    def __init__(self, callbacks=None, model=None, **params):
        self.callbacks = list(callbacks or [])
        self.model = model
        self.params = params
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self._batch_hooks = {h: [cb for cb in self.callbacks if overrides(cb, h)]
                             for h in _BATCH_HOOKS}
        for kind in ("train", "test", "predict"):
            for when in ("begin", "end"):
                hook = f"on_{kind}_batch_{when}"
                if kind == "train":
                    legacy = self._batch_hooks[f"on_batch_{when}"]
                    self._batch_hooks[hook] = self._batch_hooks[hook] + [
                        cb for cb in legacy if cb not in self._batch_hooks[hook]]

    def append(self, callback):
        callback.set_model(self.model)
        callback.set_params(self.params)
        self.callbacks.append(callback)
        self.__init__(self.callbacks, self.model, **self.params)

    def set_model(self, model):
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def wants(self, hook):
        return bool(self._batch_hooks.get(hook))

    def batch_hook(self, hook, batch, logs):
        """Call a batch hook as Keras does: ``hook(batch, logs=logs)``."""
        logs = {} if logs is None else logs
        for cb in self._batch_hooks[hook]:
            getattr(cb, hook)(batch, logs=logs)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        takes_index = hook in ("on_epoch_begin", "on_epoch_end") or "_batch_" in hook

        def call(*args, logs=None):
            # Every hook gets a dict (never None); epoch and begin/end hooks get it
            # positionally, batch hooks as `logs=`, as Keras passes them.
            if takes_index:
                index = args[0]
                logs = args[1] if len(args) > 1 else logs
            else:
                logs = args[0] if args else logs
            logs = {} if logs is None else logs
            for cb in self.callbacks:
                if "_batch_" in hook:
                    getattr(cb, hook)(index, logs=logs)
                elif takes_index:
                    getattr(cb, hook)(index, logs)
                else:
                    getattr(cb, hook)(logs)
        return call

    def __iter__(self):
        return iter(self.callbacks)
