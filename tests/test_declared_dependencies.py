"""Every package a test imports is one the project declares (a dependency or an extra).

CI installs only what the README installs (``-e ".[test]"``) into a fresh virtual
environment, so a test that imports an undeclared package passes on a developer's
machine that happens to have it and fails on a new one. An import of an optional
package is fine where the test skips without it: ``pytest.importorskip(...)``, or an
import inside ``try: ... except ImportError``.

The oracle scripts that make fixtures with real Keras (``make_*.py``, and
``import keras`` inside a function of a fixtures module) are not tests: they run by
hand in a separate environment and are skipped here.
"""
import ast
import pathlib
import re
import sys

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

# Import names whose distribution is spelled differently.
DISTRIBUTION_OF = {"PIL": "pillow", "sklearn": "scikit-learn", "yaml": "pyyaml"}
# The oracle (real Keras and its engines) may appear only in fixture-making code.
ORACLE = {"keras", "tensorflow", "tf_keras"}
# Names that cornu itself makes importable (`python -m cornu run` installs stand-ins for
# `keras` and `tensorflow`), in the tests of that feature.
STAND_INS = {"tests/legacy/test_main.py": {"keras", "tensorflow"}}


def declared_distributions():
    text = (ROOT / "pyproject.toml").read_text()
    if tomllib is not None:
        project = tomllib.loads(text)["project"]
        specs = list(project["dependencies"])
        for extra in project.get("optional-dependencies", {}).values():
            specs.extend(extra)
    else:
        specs = re.findall(r'"([A-Za-z0-9_.\-]+)[^"]*"', text)
    return {re.split(r"[<>=!~\[; ]", s, maxsplit=1)[0].lower().replace("_", "-") for s in specs}


def _guarded(node, parents):
    """Whether ``node`` sits in a ``try`` that handles ImportError."""
    for parent in parents:
        if isinstance(parent, ast.Try) and node in _walk_body(parent.body):
            for handler in parent.handlers:
                names = [handler.type] if not isinstance(handler.type, ast.Tuple) else (
                    handler.type.elts)
                if handler.type is None or any(
                        getattr(n, "id", None) in ("ImportError", "ModuleNotFoundError",
                                                   "Exception") for n in names):
                    return True
    return False


def _walk_body(body):
    for stmt in body:
        yield from ast.walk(stmt)


def imports_of(path):
    """(module name, line, inside a function, guarded) for each absolute import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        chain, p = [], parents.get(node)
        while p is not None:
            chain.append(p)
            p = parents.get(p)
        in_function = any(isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)) for p in chain)
        for name in names:
            out.append((name.split(".")[0], node.lineno, in_function, _guarded(node, chain)))
    return out


def test_every_package_a_test_imports_is_declared():
    declared = declared_distributions()
    local = {p.stem for p in TESTS.rglob("*.py")} | {"cornu", "tests", "bench"}
    stdlib = set(sys.stdlib_module_names)
    problems = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name.startswith("make_"):
            continue  # an oracle script: run by hand with real Keras
        stand_ins = STAND_INS.get(path.relative_to(ROOT).as_posix(), set())
        for module, line, in_function, guarded in imports_of(path):
            if module in stdlib or module in local or guarded or module in stand_ins:
                continue
            if module in ORACLE and in_function and path.parent.name == "fixtures":
                continue
            dist = DISTRIBUTION_OF.get(module, module).lower().replace("_", "-")
            if dist not in declared:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module!r}")
    assert not problems, (
        "Tests import packages that no dependency or extra in pyproject.toml declares "
        "(declare them in the `test` extra, or skip with pytest.importorskip):\n"
        + "\n".join(problems))


def test_the_check_sees_an_undeclared_import(tmp_path):
    # The checker itself: an undeclared top-level import is found, a guarded one is not.
    probe = tmp_path / "test_probe.py"
    probe.write_text("import numpy\nimport left_pad_pkg\n"
                     "try:\n    import other_pkg\nexcept ImportError:\n    other_pkg = None\n")
    found = {(m, guarded) for m, _, _, guarded in imports_of(probe)}
    assert ("left_pad_pkg", False) in found and ("other_pkg", True) in found
    assert "left-pad-pkg" not in declared_distributions()
    assert {"numpy", "torch", "pytest", "h5py"} <= declared_distributions()


@pytest.mark.skipif(tomllib is None, reason="tomllib (Python 3.11+) reads pyproject.toml")
def test_readme_installs_the_test_extra():
    # The README's set-up command is what CI runs; it must install the `test` extra.
    assert '-e ".[test]"' in (ROOT / "README.md").read_text()
