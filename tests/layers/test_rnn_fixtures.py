"""Recurrent layers against Keras 3's own outputs (fixtures/rnn_fixtures.npz, made by
fixtures/make_rnn_fixtures.py with real Keras on the same weights and inputs)."""
import json
import os

import numpy as np
import pytest

from cornu import backend, layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "rnn_fixtures.npz")


def _cases():
    with np.load(FIXTURES, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    cases = {}
    for key, value in arrays.items():
        case, field = key.split("__")
        cases.setdefault(case, {})[field] = value
    return cases


CASES = _cases()


def _build(spec):
    cls = getattr(layers, spec["class_name"])
    if spec["inner"] is not None:
        inner_name, inner_kwargs = spec["inner"]
        return cls(getattr(layers, inner_name)(**inner_kwargs), **spec["kwargs"])
    return cls(**spec["kwargs"])


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fused", [True, False])
def test_matches_keras(case, fused):
    data = CASES[case]
    spec = json.loads(str(data["spec"]))
    layer = _build(spec)
    if not fused:  # the step-by-step path on the same weights
        for sub in (layer, getattr(layer, "forward_layer", None),
                    getattr(layer, "backward_layer", None)):
            if sub is not None and hasattr(sub, "use_cudnn"):
                sub.use_cudnn = False
    x = data["x"]
    layer.build(x.shape)
    weights = [data[f"w{i}"] for i in range(sum(k.startswith("w") for k in data))]
    layer.set_weights(weights)
    kwargs = {"mask": data["mask"]} if "mask" in data else {}
    out = layer(x, **kwargs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    expected = [data[f"y{i}"] for i in range(sum(k.startswith("y") for k in data))]
    assert len(outs) == len(expected)
    for got, want in zip(outs, expected):
        np.testing.assert_allclose(backend.convert_to_numpy(got), want, atol=1e-5, rtol=1e-5)
