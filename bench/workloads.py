"""The workloads, written once against the Keras API.

Every function takes the keras module (``cornu``, or real Keras 3 in its own
interpreter), so the same code measures both. Nothing here imports a framework.
"""
from bench import data
from bench.specs import FIT, SPECS
from bench.timing import time_calls, time_once


def build_mlp(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])


def build_cnn(keras):
    """keras.io's mnist_convnet."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def build_lstm(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(200,), dtype="int32"),
        layers.Embedding(5000, 32),
        layers.LSTM(100),
        layers.Dense(1, activation="sigmoid"),
    ])


def build_tiny(keras):
    return keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1)])


def build_resnet50(keras):
    return keras.applications.ResNet50(weights=None)


def build_effnetb0(keras):
    return keras.applications.EfficientNetB0(weights=None)


BUILD = {"mlp": build_mlp, "cnn": build_cnn, "lstm": build_lstm, "tiny": build_tiny,
         "resnet50_fit": build_resnet50, "effnetb0_fit": build_effnetb0}
APPLICATIONS = {"resnet50": build_resnet50, "effnetb0": build_effnetb0}


def compile_args(keras, workload):
    """The optimizer, loss and metrics of a fit workload."""
    if workload == "mlp":
        return dict(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    if workload == "cnn":
        return dict(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                    metrics=["accuracy"])
    if workload == "lstm":
        return dict(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy",
                    metrics=["accuracy"])
    if workload in ("resnet50_fit", "effnetb0_fit"):
        return dict(optimizer=keras.optimizers.SGD(momentum=0.9),
                    loss="sparse_categorical_crossentropy")
    return dict(optimizer=keras.optimizers.SGD(), loss="mse")


def run(keras, workload, steps, warmup, sync, jit=False):
    """Measure one workload; returns the JSON-able result of ``bench.run``."""
    spec = SPECS[workload]
    missing = [name for name in spec.layers if not hasattr(keras.layers, name)]
    if missing:
        return {"missing": missing}
    keras.utils.set_random_seed(0)
    if spec.kind == FIT:
        return _fit(keras, spec, steps, warmup, sync, jit)
    if workload == "predict1":
        return _predict1(keras, steps, warmup, sync)
    if workload == "layer_call":
        return _layer_call(keras, steps, warmup, sync)
    if workload in APPLICATIONS:
        return _application(keras, workload, steps, warmup, sync)
    raise ValueError(f"Workload {workload!r} is not a Keras-API workload.")


def _fit(keras, spec, steps, warmup, sync, jit):
    model = BUILD[spec.name](keras)
    # Without jit=True every implementation keeps its default: eager for cornu and for
    # Keras on torch, XLA-compiled steps for Keras on JAX ("auto").
    model.compile(**compile_args(keras, spec.name), **({"jit_compile": True} if jit else {}))
    if warmup:
        xw, yw = data.make(spec.name, warmup * spec.batch, seed=1)
        model.fit(xw, yw, batch_size=spec.batch, epochs=1, verbose=0)
        sync(None)
    x, y = data.make(spec.name, steps * spec.batch, seed=0)
    history = []

    def epoch():
        history.append(model.fit(x, y, batch_size=spec.batch, epochs=1, verbose=0))
        sync(None)

    seconds = time_once(epoch)
    return {"times": {"step": seconds / steps},
            "loss": float(history[0].history["loss"][-1])}


def _predict1(keras, calls, warmup, sync):
    model = build_mlp(keras)
    x1 = data.make("predict1", 1)[0]          # (1, 784)
    xt = keras.ops.convert_to_tensor(x1)
    call = time_calls(lambda: model(xt), calls, warmup, sync)
    predict = time_calls(lambda: model.predict(x1, verbose=0), calls, warmup, sync)
    return {"times": {"model(x)": call, "predict": predict}}


def _layer_call(keras, calls, warmup, sync):
    x, kernel, bias = data.layer_call()
    xt = keras.ops.convert_to_tensor(x)
    times = {}
    for measure, activation in (("linear", None), ("relu", "relu")):
        layer = keras.layers.Dense(64, activation=activation)
        layer.build((32, 64))
        layer.set_weights([kernel, bias])
        times[measure] = time_calls(lambda: layer(xt), calls, warmup, sync)
    return {"times": times}


def _application(keras, workload, calls, warmup, sync):
    """``predict_on_batch`` of an application model on batches of 1 and 32 images."""
    model = APPLICATIONS[workload](keras)
    times = {}
    for batch in (1, 32):
        x = data.make(workload, batch)[0]  # (batch, 224, 224, 3)
        times[f"batch{batch}"] = time_calls(lambda: model.predict_on_batch(x), calls, warmup,
                                            sync)
    return {"times": times}
