"""``python -m cornu run program.py [args...]``: run an unmodified Keras program on cornu.

The program's ``keras``, ``tensorflow.keras``, ``tf.keras`` and
``tensorflow.python.keras`` imports are answered by cornu (see
``cornu.legacy.keras_imports``); it runs as ``__main__`` with ``sys.argv`` set to
the program and its arguments.

When the program imports a module that is not installed (``six``, ``sklearn``,
``matplotlib``...), cornu says which one, that it is the program's dependency rather
than cornu's, and the ``pip install`` command, then exits with status 1.
"""
import os
import runpy
import sys

USAGE = """usage: python -m cornu run PROGRAM.py [ARGS...]

Run a Keras program on cornu: its `keras`, `tensorflow.keras`, `tf.keras` and
`tensorflow.python.keras` imports are answered by cornu."""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] != "run" or len(argv) < 2:
        print(USAGE, file=sys.stderr)
        return 2
    program = argv[1]
    if not os.path.isfile(program):
        print(f"cornu run: no such file: {program}", file=sys.stderr)
        return 2
    from cornu.legacy import keras_imports
    keras_imports.install()
    sys.argv = argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
    try:
        runpy.run_path(program, run_name="__main__")
    except ModuleNotFoundError as error:
        message = missing_module_message(error, program)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1
    return 0


# Import names whose pip distribution is named otherwise.
DISTRIBUTIONS = {
    "sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "pillow", "yaml": "pyyaml",
    "skimage": "scikit-image", "tensorflow_datasets": "tensorflow-datasets",
    "tensorflow_hub": "tensorflow-hub", "tensorflow_addons": "tensorflow-addons",
    "tensorflow_probability": "tensorflow-probability", "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil", "attr": "attrs", "Bio": "biopython",
    "Levenshtein": "python-Levenshtein", "sentencepiece": "sentencepiece",
}


def missing_module_message(error, program):
    """What to tell the user about ``error`` (a ModuleNotFoundError raised while running
    ``program``), or None when the missing module is a Keras path cornu lacks (the
    traceback is the better report then)."""
    name = error.name or ""
    top = name.split(".")[0]
    if not top or top in ("cornu", "keras"):
        return None
    where, in_cornu = _import_site(error.__traceback__)
    if top == "tensorflow":
        return (f"cornu run: {program} imports `{name}`, a part of TensorFlow itself; cornu "
                "answers only `tf.keras`, and TensorFlow is not installed. Install it with:\n"
                "    pip install tensorflow\n"
                "or replace that use by its Keras equivalent (`keras.ops`, `keras.utils`...).")
    package = DISTRIBUTIONS.get(top, top)
    if in_cornu:
        owner = (f"It is an optional dependency of cornu, needed for what the program asked "
                 f"for ({where}).")
    else:
        owner = (f"It is the program's own dependency, not cornu's"
                 f"{f' (imported at {where})' if where else ''}.")
    return (f"cornu run: {program} needs the Python module `{top}`, which is not installed.\n"
            f"{owner} Install it with:\n"
            f"    pip install {package}")


def _import_site(traceback):
    """``("file, line N", inside_cornu)`` of the import statement that failed."""
    frame = None
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if not filename.startswith("<frozen") and os.sep + "importlib" + os.sep not in filename:
            frame = traceback
        traceback = traceback.tb_next
    if frame is None:
        return "", False
    filename = frame.tb_frame.f_code.co_filename
    package = os.path.dirname(os.path.abspath(__file__))
    inside = os.path.abspath(filename).startswith(package + os.sep) and (
        os.path.abspath(filename) != os.path.abspath(__file__))
    return f"{filename}, line {frame.tb_lineno}", inside


if __name__ == "__main__":
    sys.exit(main())
