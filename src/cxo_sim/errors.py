"""Errors a user can cause and fix: the CLI prints them on one line and exits with status 2."""


class UserError(Exception):
    """Bad input from a user: a file, a value, a folder. Printed without a traceback."""
