"""python -m cornu run: a program importing a module that is not installed."""
import importlib.util
import os
import subprocess
import sys

import pytest

import cornu
from cornu import __main__ as cli
from cornu.legacy import keras_imports


@pytest.fixture
def clean_imports(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["cornu"])
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    keras_imports.uninstall()
    for name in set(sys.modules) - before:
        if name.split(".")[0] in ("keras", "tensorflow") or name == "tensorboard.compat.notf":
            del sys.modules[name]


def test_missing_module_names_the_pip_command(tmp_path, clean_imports, capsys):
    program = tmp_path / "prog.py"
    program.write_text("import keras\nimport cornu_test_no_such_module_zq\n")
    assert cli.main(["run", str(program)]) == 1
    err = capsys.readouterr().err
    assert "`cornu_test_no_such_module_zq`, which is not installed" in err
    assert "the program's own dependency, not cornu's" in err
    assert f"{program}, line 2" in err
    assert "    pip install cornu_test_no_such_module_zq" in err


@pytest.mark.parametrize("module, package", [
    ("sklearn.model_selection", "scikit-learn"), ("cv2", "opencv-python"), ("PIL", "pillow"),
    ("yaml", "pyyaml"), ("skimage.io", "scikit-image"),
    ("tensorflow_datasets", "tensorflow-datasets"), ("six", "six"), ("h5py", "h5py"),
])
def test_import_names_map_to_distributions(module, package):
    error = ModuleNotFoundError(f"No module named '{module}'", name=module)
    message = cli.missing_module_message(error, "prog.py")
    assert message.endswith(f"pip install {package}")
    assert f"`{module.split('.')[0]}`" in message


def test_six_when_not_installed(tmp_path):
    if importlib.util.find_spec("six") is not None:
        pytest.skip("six is installed here")
    program = tmp_path / "prog.py"
    program.write_text("import six\n")
    done = subprocess.run([sys.executable, "-m", "cornu", "run", str(program)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "pip install six" in done.stderr


def test_exit_status_from_the_command_line(tmp_path):
    program = tmp_path / "prog.py"
    program.write_text("import cornu_test_no_such_module_zq\n")
    done = subprocess.run([sys.executable, "-m", "cornu", "run", str(program)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "pip install cornu_test_no_such_module_zq" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_optional_dependency_of_cornu_is_said_to_be_cornus():
    inside = os.path.join(os.path.dirname(cornu.__file__), "saving", "example.py")
    try:
        exec(compile("import cornu_test_no_such_module_zq", inside, "exec"), {})
    except ModuleNotFoundError as error:
        message = cli.missing_module_message(error, "prog.py")
    assert "optional dependency of cornu" in message and "example.py, line 1" in message


def test_tensorflow_itself_and_cornu_gaps(tmp_path, clean_imports, capsys):
    error = ModuleNotFoundError("No module named 'tensorflow.compat'", name="tensorflow.compat")
    assert "pip install tensorflow" in cli.missing_module_message(error, "prog.py")
    gap = ModuleNotFoundError("No module named 'keras.nothing'", name="keras.nothing")
    assert cli.missing_module_message(gap, "prog.py") is None  # the traceback says more
    program = tmp_path / "prog.py"
    program.write_text("import keras.cornu_test_nothing_here\n")
    with pytest.raises(ModuleNotFoundError):
        cli.main(["run", str(program)])
