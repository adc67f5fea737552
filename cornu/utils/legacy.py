"""``keras.utils.legacy``: Keras 2's object configs (the same functions as
``cornu.legacy.saving``)."""
from cornu.legacy.saving import deserialize_keras_object, serialize_keras_object  # noqa: F401
