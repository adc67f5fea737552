"""Every name in Keras 3's `keras.layers` is in `cornu.layers` (the list comes from the
oracle script `fixtures/make_keras_layer_names.py`)."""
import pathlib

import cornu

NAMES = pathlib.Path(__file__).with_name("fixtures") / "keras_layer_names.txt"


def test_every_keras_layers_name_exists():
    lines = NAMES.read_text().splitlines()
    names = [n for n in lines if n and not n.startswith("#")]
    assert len(names) > 150, lines[0]
    missing = [n for n in names if not hasattr(cornu.layers, n)]
    assert not missing, f"in keras.layers but not in cornu.layers: {missing}"
