"""Bad arguments and data to fit / evaluate / predict get an error naming the
argument, what was received and what is expected (issue #16)."""
import numpy as np
import pytest

import cornu as keras

L = keras.layers
RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 3)).astype("float32")
Y = RNG.integers(0, 3, 20)


def _model(loss="sparse_categorical_crossentropy"):
    model = keras.Sequential([keras.Input((3,)), L.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss)
    return model


# ---------------------------------------------------------------- 9. made-up numbers

@pytest.mark.parametrize("split", [-0.2, 1.0, 1.5, "0.2"])
def test_out_of_range_validation_split_is_refused(split):
    with pytest.raises(ValueError, match=r"`validation_split` must be a number in \[0, 1\)"
                       r".*received validation_split="):
        _model().fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_in_range_still_validates():
    history = _model().fit(X, Y, validation_split=0.25, epochs=1, verbose=0)
    assert np.isfinite(history.history["val_loss"][0]) and history.history["val_loss"][0] > 0


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_empty_data_is_refused(call):
    model = _model()
    args = (X[:0],) if call == "predict" else (X[:0], Y[:0])
    with pytest.raises(ValueError, match="Received empty data: the arrays hold 0 samples"):
        getattr(model, call)(*args, verbose=0)


# ---------------------------------------------------------------- 10. class_weight

def test_class_weight_leaving_out_classes_weighs_them_one():
    def loss_after(class_weight):
        keras.utils.set_random_seed(1)
        model = _model()
        model.fit(X, Y, class_weight=class_weight, epochs=1, batch_size=20, shuffle=False,
                  verbose=0)
        return model.get_weights()
    partial = loss_after({0: 1.0})
    explicit = loss_after({0: 1.0, 1: 1.0, 2: 1.0})
    for a, b in zip(partial, explicit):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    heavier = loss_after({2: 5.0})
    assert not np.allclose(heavier[0], explicit[0])


def test_class_weight_with_one_hot_labels_leaving_out_classes():
    model = _model(loss="categorical_crossentropy")
    onehot = np.eye(3, dtype="float32")[Y]
    history = model.fit(X, onehot, class_weight={1: 2.0}, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# ---------------------------------------------------------------- 11. clear messages

@pytest.mark.parametrize("batch_size", [-4, 0, 2.5, "8", True])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_bad_batch_size_is_named(call, batch_size):
    args = (X,) if call == "predict" else (X, Y)
    with pytest.raises(ValueError, match=r"`batch_size` must be a positive integer.*"
                       rf"received batch_size={batch_size!r}"):
        getattr(_model(), call)(*args, batch_size=batch_size, verbose=0)


def test_bad_validation_batch_size_is_named():
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer"):
        _model().fit(X, Y, validation_data=(X, Y), validation_batch_size=-1, verbose=0)


def test_generator_yielding_none_is_named():
    def gen():
        while True:
            yield None
    with pytest.raises(ValueError, match=r"generator yielded None as batch 0.*\(x, y\)"):
        _model().fit(gen(), steps_per_epoch=2, verbose=0)


def test_dict_given_to_a_sequential_is_named():
    with pytest.raises(ValueError, match=r"Sequential model .* takes a single input of "
                       r"shape \(None, 3\); received a dict with keys \['a'\]"):
        _model().fit({"a": X}, Y, verbose=0)


def test_list_of_lists_of_the_wrong_width_is_named():
    for x in ([[1.0, 2.0], [3.0, 4.0]], np.array([[1.0, 2.0], [3.0, 4.0]])):
        with pytest.raises(ValueError, match=r"Input 0 .*expected shape=\(None, 3\), found "
                           r"shape=\(2, 2\)"):
            _model().fit(x, [0, 1], verbose=0)
    history = _model().fit([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]], [0, 1], verbose=0)
    assert np.isfinite(history.history["loss"][0])  # rows of the right width train
    with pytest.raises(ValueError, match=r"takes a single input of shape \(None, 3\); "
                       r"received a list of 2 inputs of shapes.*np.array"):
        _model().fit([X, X], Y, verbose=0)


@pytest.mark.parametrize("verbose", ["loud", 3, -1, 1.5])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_bad_verbose_is_named(call, verbose):
    args = (X,) if call == "predict" else (X, Y)
    with pytest.raises(ValueError, match=rf"`verbose` must be 'auto', 0 .*received "
                       rf"verbose={verbose!r}"):
        getattr(_model(), call)(*args, verbose=verbose)


def test_out_of_range_sparse_labels_in_evaluate_are_named():
    with pytest.raises(ValueError, match=r"must be integers in \[0, 2\].*from 5 to 7"):
        _model().evaluate(X, Y + 5, verbose=0)


# ---------------------------------------------------------------- 5. per-input shapes

def _dict_model():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    return keras.Model({"a": a, "b": b}, L.Concatenate()([L.Dense(4)(a), L.Dense(4)(b)]))


def test_dict_inputs_of_the_wrong_shapes_are_named():
    model = _dict_model()
    good = {"a": np.ones((8, 2), "float32"), "b": np.ones((8, 3), "float32")}
    assert model.predict(good, verbose=0).shape == (8, 8)
    swapped = {"a": np.ones((8, 3), "float32"), "b": np.ones((8, 2), "float32")}
    with pytest.raises(ValueError, match=r"Input 0 with name 'a' .*expected "
                       r"shape=\(None, 2\), found shape=\(8, 3\)"):
        model.predict(swapped, verbose=0)
    with pytest.raises(ValueError, match="found shape"):
        model(swapped)


def test_list_inputs_of_the_wrong_shapes_are_named():
    a, b = keras.Input((2,)), keras.Input((3,))
    model = keras.Model([a, b], L.Concatenate()([a, b]))
    with pytest.raises(ValueError, match=r"Input 1 .*expected shape=\(None, 3\), found "
                       r"shape=\(4, 5\)"):
        model.predict([np.ones((4, 2)), np.ones((4, 5))], verbose=0)


def test_unknown_dimensions_and_rank_adjustment_still_pass():
    seq = keras.Input((None, 4))
    model = keras.Model(seq, L.GlobalAveragePooling1D()(seq))
    assert model.predict(np.ones((2, 7, 4)), verbose=0).shape == (2, 4)
    image = keras.Input((5, 5, 1))
    model = keras.Model(image, L.Flatten()(image))
    assert model.predict(np.ones((2, 5, 5)), verbose=0).shape == (2, 25)
