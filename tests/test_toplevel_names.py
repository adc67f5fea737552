"""Keras's top-level names: base classes, Function, the scopes, remat, device, version."""
import numpy as np
import pytest
import torch

import cornu


def test_base_classes_are_the_ones_objects_derive_from():
    assert isinstance(cornu.losses.MeanSquaredError(), cornu.Loss)
    assert isinstance(cornu.metrics.Mean(), cornu.Metric)
    assert isinstance(cornu.optimizers.Adam(), cornu.Optimizer)
    assert isinstance(cornu.initializers.Zeros(), cornu.Initializer)
    assert isinstance(cornu.regularizers.L2(), cornu.Regularizer)
    assert isinstance(cornu.layers.Dense(1), cornu.Operation)


def test_custom_operation_runs_eagerly_and_in_a_graph():
    class Square(cornu.Operation):
        def call(self, x):
            return x * x
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(Square()(np.array([3.0]))), [9.0])
    inputs = cornu.Input((2,))
    model = cornu.Model(inputs, Square()(inputs))
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(model(np.array([[1.0, -2.0]]))),
                               [[1.0, 4.0]])


def test_import_stays_lazy_for_losses_metrics_optimizers():
    import subprocess
    import sys
    code = ("import sys, cornu; assert 'cornu.losses' not in sys.modules; "
            "assert 'cornu.random' not in sys.modules; cornu.Loss; "
            "assert 'cornu.losses' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_function_computes_outputs_from_inputs():
    a, b = cornu.Input((3,)), cornu.Input((3,))
    dense = cornu.layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")
    fn = cornu.Function([a, b], {"sum": cornu.ops.exp(a) + b, "dense": dense(a)})
    assert len(fn.inputs) == 2 and len(fn.outputs) == 2
    assert any(op is dense for op in fn.operations)
    x = np.zeros((1, 3), "float32")
    y = np.arange(3, dtype="float32")[None]
    out = fn([x, y])
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(out["sum"]), 1 + y)
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(out["dense"]), [[0.0, 0.0]])
    spec = fn.compute_output_spec([cornu.KerasTensor((4, 3)), cornu.KerasTensor((4, 3))])
    assert spec["sum"].shape == (4, 3) and spec["dense"].shape == (4, 2)


def test_name_scope_prefixes_variable_paths():
    with cornu.name_scope("block") as scope:
        assert scope.name == "block"
        with cornu.name_scope("inner"):
            v = cornu.Variable(np.zeros(2), name="v")
        w = cornu.Variable(np.zeros(2), name="w")
    u = cornu.Variable(np.zeros(2), name="u")
    assert (v.path, w.path, u.path) == ("block/inner/v", "block/w", "u")
    with pytest.raises(ValueError, match="non-empty string"):
        cornu.name_scope("")


def test_device_places_new_tensors():
    with cornu.device("cpu"):
        assert cornu.backend.get_device() == "cpu"
        assert str(cornu.ops.ones((2,)).device) == "cpu"
    with pytest.raises(ValueError, match="device name"):
        cornu.device(0)


def test_symbolic_scope_computes_shapes_only():
    with cornu.SymbolicScope():
        assert cornu.backend.in_symbolic_scope()
        x = cornu.ops.ones((2, 3))
        assert tuple(x.shape) == (2, 3) and str(x.device) == "meta"
    assert not cornu.backend.in_symbolic_scope()


def test_stateless_scope_runs_with_values_and_restores():
    v = cornu.Variable(np.zeros(2, "float32"))
    other = cornu.Variable(np.ones(2, "float32"))
    with cornu.StatelessScope([(v, np.ones(2, "float32"))]) as scope:
        np.testing.assert_allclose(v.numpy(), [1, 1])
        v.assign(v.value * 3)
        np.testing.assert_allclose(cornu.ops.convert_to_numpy(scope.get_current_value(v)),
                                   [3, 3])
    np.testing.assert_allclose(v.numpy(), [0, 0])
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(scope.get_current_value(v)), [3, 3])
    assert scope.get_current_value(other) is None
    with pytest.raises(ValueError, match="Variable, value"):
        cornu.StatelessScope([np.ones(2)])


def test_remat_gives_the_same_values_and_gradients():
    dense = cornu.layers.Dense(4)
    x = torch.ones(2, 3, requires_grad=True)
    plain = dense(x)
    plain.sum().backward()
    grad_plain = x.grad.clone()
    x.grad = None
    checkpointed = cornu.remat(dense)(x)
    checkpointed.sum().backward()
    np.testing.assert_allclose(checkpointed.detach().numpy(), plain.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), grad_plain.numpy(), rtol=1e-6)


def test_remat_scope_records_the_mode():
    from cornu._scopes import get_current_remat_mode
    assert get_current_remat_mode() is None
    with cornu.RematScope(mode="larger_than", output_size_threshold=10) as scope:
        assert get_current_remat_mode() is scope and scope.output_size_threshold == 10
        with cornu.RematScope(mode=None):
            assert get_current_remat_mode() is None
    assert get_current_remat_mode() is None
    with pytest.raises(ValueError, match="Invalid remat mode"):
        cornu.RematScope(mode="some")
    with pytest.raises(ValueError, match="layer_names"):
        cornu.RematScope(mode="list_of_layers")


def test_version():
    assert cornu.version() == cornu.__version__ and isinstance(cornu.version(), str)
