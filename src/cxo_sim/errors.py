"""Errors a user can cause and fix: the CLI prints them on one line and exits with status 2.

Also the one printer of lines on stderr (progress, warnings, one-line errors). Covered by
``tests/test_faults.py``.
"""

import sys


class UserError(Exception):
    """Bad input from a user, or a faulty environment: a file, a value, a folder, a full disk.

    Printed without a traceback.
    """


def one_line(error: BaseException) -> str:
    """An exception as its type and message on a single line, for a one-line error."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Stopped(KeyboardInterrupt):
    """A Ctrl-C, SIGTERM or SIGHUP, honoured where the work could stop cleanly.

    Attributes:
        signal_number: the signal that asked for the stop.
    """

    def __init__(self, signal_number: int):
        super().__init__(signal_number)
        self.signal_number = signal_number


def stderr(line: str) -> None:
    """Print ``line`` on stderr at once: progress, a warning, a one-line error."""
    print(line, file=sys.stderr, flush=True)
