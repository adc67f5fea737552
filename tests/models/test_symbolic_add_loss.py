"""Keras 2's functional add_loss: a loss built from the model's symbolic tensors is part
of the graph, computed on each batch (the variational autoencoder of the Keras 2
examples: compile without a loss, fit without targets)."""
import numpy as np

import cornu
from cornu import backend as K
from cornu import layers


def vae(original_dim=16, latent_dim=2):
    inputs = layers.Input(shape=(original_dim,))
    h = layers.Dense(8, activation="relu")(inputs)
    z_mean = layers.Dense(latent_dim)(h)
    z_log_var = layers.Dense(latent_dim)(h)
    outputs = layers.Dense(original_dim, activation="sigmoid")(z_mean)
    model = cornu.Model(inputs, outputs)
    reconstruction = cornu.losses.binary_crossentropy(inputs, outputs) * original_dim
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    model.add_loss(K.mean(reconstruction + kl))
    return model, z_mean, z_log_var


def test_symbolic_loss_is_computed_from_each_batch():
    model, z_mean, z_log_var = vae()
    model.compile(optimizer="adam")
    x = np.random.default_rng(0).random((64, 16)).astype("float32")
    history = model.fit(x, epochs=3, batch_size=16, validation_data=(x, None), verbose=0)
    assert len(history.history["loss"]) == 3 and "val_loss" in history.history
    # evaluate's loss equals the formula on the model's own intermediate values
    encoder = cornu.Model(model.inputs, [z_mean, z_log_var])
    zm, zl = (np.asarray(v) for v in encoder.predict(x, verbose=0))
    y = np.clip(model.predict(x, verbose=0), 1e-7, 1 - 1e-7)
    bce = -np.mean(x * np.log(y) + (1 - x) * np.log(1 - y), axis=-1) * 16
    kl = -0.5 * np.sum(1 + zl - zm ** 2 - np.exp(zl), axis=-1)
    np.testing.assert_allclose(model.evaluate(x, verbose=0, batch_size=64),
                               np.mean(bce + kl), rtol=1e-4)
    assert len(model.losses) == 1  # one value per call, not one per call ever made


def test_symbolic_loss_leaves_layers_and_outputs_alone():
    model, _, _ = vae()
    assert len(model.layers) == 5 and len(model.outputs) == 1
    assert len(model.trainable_weights) == 8  # z_log_var's Dense, used by the loss only, trains
    assert tuple(model.predict(np.zeros((2, 16), "float32"), verbose=0).shape) == (2, 16)
