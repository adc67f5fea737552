"""Every layer family round-trips: save -> load_model -> identical predictions and evaluate.

One small model per family. A case whose layer classes do not exist (yet) in
``cornu.layers`` is skipped; every public layer class must be covered by a case.
"""
import numpy as np
import pytest

import cornu as keras
from tests.saving.helpers import as_list, assert_same_predictions

L = keras.layers

# name -> (input shape, input dtype, layer class names, factory of the layers)
CASES = {
    "dense": ((6,), "float32", ["Dense", "EinsumDense"], lambda: [
        L.Dense(4, activation="relu"), L.EinsumDense("ab,bc->ac", output_shape=3,
                                                     bias_axes="c")]),
    "embedding": ((5,), "int32", ["Embedding", "GlobalAveragePooling1D"], lambda: [
        L.Embedding(10, 3), L.GlobalAveragePooling1D()]),
    "core_misc": ((6,), "float32", ["Activation", "Identity", "Lambda"], lambda: [
        L.Activation("tanh"), L.Identity()]),
    "masking": ((4, 3), "float32", ["Masking", "LSTM"], lambda: [L.Masking(0.0), L.LSTM(2)]),
    "conv1d": ((8, 3), "float32", ["Conv1D", "Conv1DTranspose", "SeparableConv1D",
                                   "DepthwiseConv1D"], lambda: [
        L.Conv1D(2, 3), L.Conv1DTranspose(2, 3), L.SeparableConv1D(2, 2),
        L.DepthwiseConv1D(2)]),
    "conv2d": ((8, 8, 3), "float32", ["Conv2D", "Conv2DTranspose", "SeparableConv2D",
                                      "DepthwiseConv2D"], lambda: [
        L.Conv2D(2, 3), L.Conv2DTranspose(2, 3), L.SeparableConv2D(2, 2),
        L.DepthwiseConv2D(2)]),
    "adaptive_pooling1d": ((7, 3), "float32", ["AdaptiveAveragePooling1D",
                                               "AdaptiveMaxPooling1D"], lambda: [
        L.AdaptiveAveragePooling1D(5), L.AdaptiveMaxPooling1D(3)]),
    "adaptive_pooling2d": ((7, 5, 3), "float32", ["AdaptiveAveragePooling2D",
                                                  "AdaptiveMaxPooling2D"], lambda: [
        L.AdaptiveAveragePooling2D((4, 3)), L.AdaptiveMaxPooling2D(2)]),
    "adaptive_pooling3d": ((5, 5, 5, 2), "float32", ["AdaptiveAveragePooling3D",
                                                     "AdaptiveMaxPooling3D"], lambda: [
        L.AdaptiveAveragePooling3D(3), L.AdaptiveMaxPooling3D(2)]),
    "reversible_embedding": ((5,), "int32", ["ReversibleEmbedding"], lambda: [
        L.ReversibleEmbedding(10, 3, tie_weights=False), L.GlobalAveragePooling1D()]),
    "pipeline": ((8, 8, 3), "float32", ["Pipeline"], lambda: [
        L.Pipeline([L.Rescaling(0.5), L.CenterCrop(6, 6)]), L.Flatten(), L.Dense(2)]),
    "mel_spectrogram": ((400,), "float32", ["MelSpectrogram"], lambda: [
        L.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8,
                         sampling_rate=800), L.Flatten(), L.Dense(2)]),
    "stft_spectrogram": ((64, 1), "float32", ["STFTSpectrogram"], lambda: [
        L.STFTSpectrogram(mode="log", frame_length=16, frame_step=8, fft_length=16),
        L.Flatten(), L.Dense(2)]),
    "global_pooling2d": ((4, 4, 3), "float32", ["GlobalMaxPooling2D"], lambda: [
        L.GlobalMaxPooling2D()]),
    "global_pooling3d": ((2, 2, 2, 3), "float32", ["GlobalAveragePooling3D"], lambda: [
        L.GlobalAveragePooling3D()]),
    "conv3d": ((5, 5, 5, 2), "float32", ["Conv3D", "Conv3DTranspose"], lambda: [
        L.Conv3D(2, 2), L.Conv3DTranspose(2, 2)]),
    "pooling1d": ((8, 3), "float32", ["MaxPooling1D", "AveragePooling1D",
                                      "GlobalMaxPooling1D"], lambda: [
        L.MaxPooling1D(2), L.AveragePooling1D(2), L.GlobalMaxPooling1D()]),
    "pooling2d": ((8, 8, 3), "float32", ["MaxPooling2D", "AveragePooling2D",
                                         "GlobalAveragePooling2D"], lambda: [
        L.MaxPooling2D(2), L.AveragePooling2D(2), L.GlobalAveragePooling2D()]),
    "pooling3d": ((4, 4, 4, 2), "float32", ["MaxPooling3D", "AveragePooling3D",
                                            "GlobalMaxPooling3D"], lambda: [
        L.MaxPooling3D(2), L.AveragePooling3D(1), L.GlobalMaxPooling3D()]),
    "normalization": ((6, 4), "float32", ["BatchNormalization", "LayerNormalization",
                                          "GroupNormalization", "UnitNormalization",
                                          "RMSNormalization"], lambda: [
        L.BatchNormalization(), L.LayerNormalization(), L.GroupNormalization(groups=2),
        L.UnitNormalization(), L.RMSNormalization()]),
    "spectral_norm": ((6,), "float32", ["SpectralNormalization"], lambda: [
        L.SpectralNormalization(L.Dense(3))]),
    "regularization": ((6, 4), "float32", [
        "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
        "ActivityRegularization"], lambda: [
        L.Dropout(0.5), L.SpatialDropout1D(0.2), L.GaussianNoise(0.1), L.GaussianDropout(0.1),
        L.AlphaDropout(0.1), L.ActivityRegularization(0.01)]),
    "spatial_dropout": ((4, 4, 4, 2), "float32", ["SpatialDropout2D", "SpatialDropout3D",
                                                  "Reshape"], lambda: [
        L.SpatialDropout3D(0.2), L.Reshape((16, 4, 2)), L.SpatialDropout2D(0.1)]),
    "reshaping": ((6,), "float32", ["Reshape", "Permute", "Flatten", "RepeatVector"], lambda: [
        L.Reshape((2, 3)), L.Permute((2, 1)), L.Flatten(), L.RepeatVector(2)]),
    "reshaping1d": ((8, 3), "float32", ["Cropping1D", "ZeroPadding1D", "UpSampling1D"], lambda: [
        L.Cropping1D(1), L.ZeroPadding1D(1), L.UpSampling1D(2)]),
    "reshaping2d": ((6, 6, 2), "float32", ["Cropping2D", "ZeroPadding2D", "UpSampling2D"],
                    lambda: [L.Cropping2D(1), L.ZeroPadding2D(1), L.UpSampling2D(2)]),
    "reshaping3d": ((4, 4, 4, 2), "float32", ["Cropping3D", "ZeroPadding3D", "UpSampling3D"],
                    lambda: [L.Cropping3D(1), L.ZeroPadding3D(1), L.UpSampling3D(2)]),
    "activations": ((6,), "float32", ["ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax"], lambda: [
        L.ReLU(), L.LeakyReLU(), L.ELU(), L.PReLU(), L.Softmax()]),
    "simple_rnn": ((5, 3), "float32", ["SimpleRNN"], lambda: [L.SimpleRNN(4)]),
    "lstm": ((5, 3), "float32", ["LSTM"], lambda: [L.LSTM(4, return_sequences=True),
                                                   L.LSTM(2)]),
    "gru": ((5, 3), "float32", ["GRU"], lambda: [L.GRU(4)]),
    "bidirectional": ((5, 3), "float32", ["Bidirectional", "GRU"], lambda: [
        L.Bidirectional(L.GRU(3))]),
    "time_distributed": ((5, 3), "float32", ["TimeDistributed"], lambda: [
        L.TimeDistributed(L.Dense(2))]),
    "rnn_cells": ((5, 3), "float32", ["RNN", "LSTMCell", "GRUCell", "SimpleRNNCell",
                                      "StackedRNNCells"], lambda: [
        L.RNN(L.LSTMCell(3), return_sequences=True),
        L.RNN(L.StackedRNNCells([L.GRUCell(3), L.SimpleRNNCell(2)]))]),
    "conv_lstm": ((3, 6, 6, 2), "float32", ["ConvLSTM2D", "ConvLSTM1D", "Reshape"], lambda: [
        L.ConvLSTM2D(2, 3, return_sequences=True), L.Reshape((3, 16, 2)),
        L.ConvLSTM1D(2, 3)]),
    "conv_lstm3d": ((2, 4, 4, 4, 1), "float32", ["ConvLSTM3D"], lambda: [L.ConvLSTM3D(1, 2)]),
}



def _adapted(layer, data):
    layer.adapt(data)
    return layer


def _attention():
    q, v = keras.Input((4, 6)), keras.Input((5, 6))
    out = L.Concatenate()([L.Attention()([q, v]), L.AdditiveAttention()([q, v]),
                           L.MultiHeadAttention(2, 3)(q, v),
                           L.GroupedQueryAttention(head_dim=3, num_query_heads=2,
                                                   num_key_value_heads=1)(q, v)])
    rng = np.random.default_rng(0)
    return keras.Model([q, v], L.Dense(2)(out)), [
        rng.normal(size=(3, 4, 6)).astype("float32"), rng.normal(size=(3, 5, 6)).astype(
            "float32")]


def _merging():
    a, b = keras.Input((4,)), keras.Input((4,))
    outs = [getattr(L, n)()([a, b]) for n in ("Add", "Subtract", "Multiply", "Average",
                                             "Maximum", "Minimum", "Concatenate")]
    out = L.Concatenate()(outs + [L.Dot(axes=1)([a, b])])
    rng = np.random.default_rng(0)
    return keras.Model([a, b], L.Dense(2)(out)), [
        rng.normal(size=(3, 4)).astype("float32") for _ in range(2)]


def _image_preprocessing():
    model = keras.Sequential([
        keras.Input((10, 10, 3)), L.Rescaling(1 / 255.0), L.Resizing(8, 8),
        L.CenterCrop(6, 6), L.RandomFlip(), L.RandomRotation(0.1), L.RandomZoom(0.1),
        L.RandomTranslation(0.1, 0.1), L.RandomContrast(0.1), L.RandomBrightness(0.1),
        L.RandomCrop(4, 4)])
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 10, 10, 3)).astype("float32")
    return model, x


def _augmentation_model(layers):
    model = keras.Sequential([keras.Input((8, 8, 3))] + layers)
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")
    return model, x


def _geometric_augmentation():
    return _augmentation_model([
        L.RandomShear(0.2, 0.2), L.RandomPerspective(), L.RandomElasticTransform(),
        L.MixUp(), L.CutMix(), L.RandomErasing(), L.RandomGaussianBlur(),
        L.RandomSharpness(0.2), L.ContrastLimitedAdaptiveHistogramEqualization(
            value_range=(0, 255), tile_grid_size=(2, 2))])


def _color_augmentation():
    return _augmentation_model([
        L.Solarization(), L.RandomInvert(), L.RandomPosterization(4), L.RandomGrayscale(),
        L.AutoContrast(value_range=(0, 255)), L.Equalization(value_range=(0, 255)),
        L.RandomColorDegeneration(0.2), L.RandomSaturation(0.2), L.RandomHue(0.2, (0, 255)),
        L.RandomColorJitter(value_range=(0, 255), brightness_factor=0.1),
        L.RandAugment(value_range=(0, 255)), L.AugMix(value_range=(0, 255))])


def _numeric_preprocessing():
    rng = np.random.default_rng(0)
    model = keras.Sequential([
        keras.Input((5,)), _adapted(L.Normalization(), rng.normal(size=(20, 5)).astype(
            "float32")), L.Discretization(bin_boundaries=[-1.0, 0.0, 1.0]),
        L.CategoryEncoding(num_tokens=4, output_mode="count")])
    return model, rng.normal(size=(3, 5)).astype("float32")


def _integer_preprocessing():
    a, b = keras.Input((4,), dtype="int64"), keras.Input((4,), dtype="int64")
    c, d = keras.Input((1,), dtype="int64"), keras.Input((1,), dtype="int64")
    lookup = _adapted(L.IntegerLookup(), np.array([1, 2, 2, 3, 7, 7, 7]))
    out = L.Concatenate()([lookup(a), L.Hashing(num_bins=5)(b),
                           L.HashedCrossing(num_bins=5)((c, d))])
    return keras.Model([a, b, c, d], out), [
        np.array([[1, 2, 3, 9], [7, 7, 0, 2]]), np.array([[4, 1, 3, 9], [8, 7, 5, 2]]),
        np.array([[1], [2]]), np.array([[3], [4]])]


def _string_preprocessing():
    text = np.array(["the cat sat", "the dog ran far", "a cat ran"])
    inp = keras.Input((), dtype="string")
    seq = _adapted(L.TextVectorization(max_tokens=10, output_sequence_length=4), text)(inp)
    tfidf = _adapted(L.TextVectorization(output_mode="tf_idf"), text)(inp)
    words = keras.Input((3,), dtype="string")
    ids = _adapted(L.StringLookup(), np.array(["a", "b", "b", "c"]))(words)
    return keras.Model([inp, words], [seq, tfidf, ids]), [
        np.array(["the cat ran", "a dog"]), np.array([["a", "b", "z"], ["c", "c", "a"]])]


# name -> (layer class names, factory of (model, inputs))
MODEL_CASES = {
    "attention": (["Attention", "AdditiveAttention", "MultiHeadAttention",
                   "GroupedQueryAttention"], _attention),
    "merging": (["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                 "Concatenate", "Dot"], _merging),
    "image_preprocessing": (["Rescaling", "Resizing", "CenterCrop", "RandomFlip",
                             "RandomRotation", "RandomZoom", "RandomTranslation",
                             "RandomContrast", "RandomBrightness", "RandomCrop"],
                            _image_preprocessing),
    "geometric_augmentation": (["RandomShear", "RandomPerspective", "RandomElasticTransform",
                                "MixUp", "CutMix", "RandomErasing", "RandomGaussianBlur",
                                "RandomSharpness",
                                "ContrastLimitedAdaptiveHistogramEqualization"],
                               _geometric_augmentation),
    "color_augmentation": (["Solarization", "RandomInvert", "RandomPosterization",
                            "RandomGrayscale", "AutoContrast", "Equalization",
                            "RandomColorDegeneration", "RandomSaturation", "RandomHue",
                            "RandomColorJitter", "RandAugment", "AugMix"],
                           _color_augmentation),
    "numeric_preprocessing": (["Normalization", "Discretization", "CategoryEncoding"],
                              _numeric_preprocessing),
    "integer_preprocessing": (["IntegerLookup", "Hashing", "HashedCrossing"],
                              _integer_preprocessing),
    "string_preprocessing": (["TextVectorization", "StringLookup"], _string_preprocessing),
}

# Layers that are not saved on their own: bases, wrappers of torch modules, and
# ThresholdedReLU (a Keras 2 layer that Keras 3 dropped).
_NOT_A_LAYER_TO_SAVE = {"Layer", "Wrapper", "OperationLayer", "TorchModuleWrapper",
                        "ThresholdedReLU", "InputLayer",
                        # takes only dicts of bounding boxes (tests/layers/test_misc_layers.py)
                        "MaxNumBoundingBoxes",
                        # cannot be made on the torch backend: they raise at construction
                        "TFSMLayer", "JaxLayer", "FlaxLayer"}


def _missing(names):
    return [n for n in names if not hasattr(L, n)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_family_round_trip(case, tmp_path):
    shape, dtype, names, make = CASES[case]
    missing = _missing(names)
    if missing:
        pytest.skip(f"not in cornu.layers yet: {missing}")
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 10, size=(4,) + shape) if dtype == "int32"
         else rng.normal(size=(4,) + shape)).astype(dtype)
    model = keras.Sequential([keras.Input(shape, dtype=dtype)] + make())
    model.compile(optimizer="adam", loss="mse")
    y = model.predict(x, verbose=0)
    model.train_on_batch(x, y + 0.5)  # moves weights, statistics and optimizer slots
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name)
        assert_same_predictions(model, loaded, x, atol=1e-6)
        assert loaded.evaluate(x, y, verbose=0) == pytest.approx(
            model.evaluate(x, y, verbose=0), abs=1e-5)


@pytest.mark.parametrize("case", sorted(MODEL_CASES))
def test_layer_family_round_trip_in_functional_models(case, tmp_path):
    names, make = MODEL_CASES[case]
    missing = _missing(names)
    if missing:
        pytest.skip(f"not in cornu.layers yet: {missing}")
    model, x = make()
    expected = [np.asarray(y) for y in as_list(model.predict(x, verbose=0))]
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name)
        got = [np.asarray(y) for y in as_list(loaded.predict(x, verbose=0))]
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a.astype("float64"), b.astype("float64"), atol=1e-6)


def test_lambda_round_trip_needs_unsafe_mode(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, L.Lambda(lambda t: t * 3.0 + 1.0)(L.Dense(2)(inp)))
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "lambda.keras")
    loaded = keras.models.load_model(tmp_path / "lambda.keras", safe_mode=False)
    x = np.ones((2, 3), "float32")
    assert_same_predictions(model, loaded, x, atol=0)


def test_every_layer_class_has_a_case():
    covered = set(_NOT_A_LAYER_TO_SAVE)
    for _, _, names, _ in CASES.values():
        covered.update(names)
    for names, _ in MODEL_CASES.values():
        covered.update(names)
    exported = {name for name, obj in vars(L).items()
                if isinstance(obj, type) and issubclass(obj, L.Layer)}
    # Keras 1/2 aliases are the same classes under other names.
    canonical = {getattr(L, n).__name__ for n in exported}
    uncovered = sorted(n for n in canonical & exported if n not in covered)
    assert not uncovered, f"add a saving round-trip case for: {uncovered}"
