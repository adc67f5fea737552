"""DESIGN.md principle 2: only cornu/backend/<name>/ imports torch or jax."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "cornu"
ENGINES = {"torch", "jax", "jaxlib", "tensorflow"}


def _imported_roots(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def test_engines_are_imported_only_inside_their_backend():
    leaks = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        parts = rel.parts
        for name, line in _imported_roots(path):
            if name not in ENGINES:
                continue
            allowed = len(parts) > 2 and parts[0] == "backend" and parts[1] == name
            if not allowed:
                leaks.append(f"cornu/{rel}:{line} imports {name}")
    assert not leaks, "\n".join(leaks)


def test_the_check_sees_a_leak(tmp_path):
    # The scanner itself must flag an engine import (so the test above can fail).
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom torch import nn\n")
    assert ("torch", 2) in list(_imported_roots(bad))


def test_keras_is_never_imported():
    hits = [str(p) for p in ROOT.rglob("*.py")
            if any(name == "keras" for name, _ in _imported_roots(p))]
    assert not hits, hits
