"""``python -m cornu run program.py [args...]``: run an unmodified Keras program on cornu.

The program's ``keras``, ``tensorflow.keras``, ``tf.keras`` and
``tensorflow.python.keras`` imports are answered by cornu (see
``cornu.legacy.keras_imports``); it runs as ``__main__`` with ``sys.argv`` set to
the program and its arguments.
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
    runpy.run_path(program, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
