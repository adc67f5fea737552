"""Train a small classifier on the handwritten digits that ship with cornu.

    python examples/train_digits.py

No download is needed: ``cornu.datasets.digits`` is inside the package.
"""
import cornu as keras
from cornu import layers

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.reshape(-1, 64).astype("float32") / 16.0   # (1437, 64), pixels 0..1
x_test = x_test.reshape(-1, 64).astype("float32") / 16.0     # (360, 64)

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(10, activation="softmax"),
], name="digits_mlp")
model.summary()

model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=15, batch_size=32, validation_split=0.1)
loss, accuracy = model.evaluate(x_test, y_test, verbose=2)
print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
