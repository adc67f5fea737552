"""Progbar: Keras's progress bar.

``750/750 [==============================] - 1s 1ms/step - loss: 0.3516 - accuracy: 0.8995``

In a terminal the bar redraws in place (at most every ``interval`` seconds)
with an ETA; elsewhere (logs, CI) only the finished line is printed, so logs
are not flooded.
"""
import sys
import time

from cornu.utils import io_utils


def _is_interactive():
    stream = sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def format_duration(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def format_time_per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_value(value):
    value = float(value)
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"{value:.4e}"
    return f"{value:.4f}"


class Progbar:
    """A progress bar over ``target`` steps (None when unknown).

    Args:
        target: the number of steps, or None.
        width: the width of the bar in characters.
        verbose: 1 for the bar, 2 for one line at the end, 0 for silence.
        interval: the minimum time between redraws, in seconds.
        stateful_metrics: names of values shown as given rather than averaged.
        unit_name: the word after the time per unit ("step").
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        # With interactive logging off, finished lines go to `logging` (Keras: absl).
        self._interactive = _is_interactive() and io_utils.is_interactive_logging_enabled()
        self._values = {}
        self._order = []
        self._start = time.time()
        self._last_update = 0.0
        self._seen = 0
        self._total_width = 0

    def update(self, current, values=None, finalize=None):
        """Advance to step ``current``; ``values`` is a list of (name, value) pairs or a
        callable returning them (called only when the bar is drawn)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.time()
        draw = self.verbose == 1 and self._interactive and (
            finalize or now - self._last_update >= self.interval)
        draw = draw or (finalize and self.verbose in (1, 2))
        self._seen = current
        if not draw:
            return
        if callable(values):
            values = values()
        for name, value in values or []:
            if name not in self._values:
                self._order.append(name)
            self._values[name] = value
        self._last_update = now
        line = self._line(current, now, finalize)
        if self._interactive and self.verbose == 1:
            pad = max(self._total_width - len(line), 0)
            sys.stdout.write("\r" + line + " " * pad)
            self._total_width = len(line)
            if finalize:
                sys.stdout.write("\n")
            sys.stdout.flush()
        else:
            io_utils.print_msg(line)

    def add(self, n, values=None):
        self.update(self._seen + n, values)

    def _line(self, current, now, finalize):
        elapsed = now - self._start
        per_step = elapsed / max(current, 1)
        if self.target is not None:
            digits = len(str(self.target))
            head = f"{current:{digits}d}/{self.target}"
        else:
            head = f"{current}"
        if self.verbose == 2:
            parts = [head, format_duration(elapsed), format_time_per_step(per_step)]
            text = " - ".join(parts)
        else:
            if self.target is not None:
                done = int(self.width * min(current / self.target, 1.0))
                bar = "=" * done
                if current < self.target:
                    bar = bar[:-1] + ">" if bar else ">"
                bar = "[" + bar.ljust(self.width, ".") + "]"
            else:
                bar = ""
            if finalize:
                timing = f"{format_duration(elapsed)} {format_time_per_step(per_step)}"
            else:
                remaining = (self.target - current) * per_step if self.target else 0
                timing = f"ETA: {format_duration(remaining)}"
            text = f"{head} {bar} - {timing}" if bar else f"{head} - {timing}"
        for name in self._order:
            text += f" - {name}: {format_value(self._values[name])}"
        return text
