"""Where cornu's messages go: stdout (interactive logging, the default) or the
``logging`` module (``cornu.config.disable_interactive_logging()``), as Keras's
``keras.src.utils.io_utils`` sends them to stdout or ``absl.logging``.

cornu uses the standard ``logging`` logger ``"cornu"`` at level INFO where Keras uses
absl; configure it (``logging.basicConfig(level=logging.INFO)``) to see the lines.
"""
import logging
import sys

_state = {"interactive": True}
logger = logging.getLogger("cornu")


def enable_interactive_logging():
    """Turn on interactive logging: progress bars and messages are written to stdout.

    This is the default, and the best choice in a shell or a notebook.
    """
    _state["interactive"] = True


def disable_interactive_logging():
    """Turn off interactive logging: progress bars and messages go to the ``logging``
    logger ``"cornu"`` (level INFO), one finished line each, never redrawn in place.

    The best choice for training jobs on a server whose output is collected as logs.
    """
    _state["interactive"] = False


def is_interactive_logging_enabled():
    """Whether messages go to stdout (True) or to the ``logging`` module (False).

    Returns:
        bool.
    """
    return _state["interactive"]


def print_msg(message, line_break=True):
    """Write ``message`` to stdout, or log it when interactive logging is off.

    Args:
        message: what to write (converted with ``str``).
        line_break: end the line (stdout only; a log record is always one line).
    """
    message = str(message)
    if _state["interactive"]:
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        logger.info(message)
