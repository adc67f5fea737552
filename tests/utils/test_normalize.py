"""keras.utils.normalize on arrays and on tensors that carry gradients (inside a loss)."""
import numpy as np

import cornu


def test_normalize_arrays_and_zero_rows():
    out = cornu.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]), axis=1)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_normalize_a_tensor_keeps_its_gradient():
    # keras.io's supervised contrastive learning normalizes features inside its loss.
    y = cornu.layers.Dense(3)(np.ones((2, 4), "float32"))
    out = cornu.utils.normalize(y, axis=1)
    assert cornu.ops.is_tensor(out) and out.requires_grad
    ref = cornu.ops.convert_to_numpy(y)
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(out),
                               ref / np.linalg.norm(ref, axis=1, keepdims=True), rtol=1e-5)
    l1 = cornu.utils.normalize(y, axis=1, order=1)
    np.testing.assert_allclose(np.abs(cornu.ops.convert_to_numpy(l1)).sum(axis=1), 1, rtol=1e-5)
