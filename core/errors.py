"""The root of every error grunndata reports to a person (never as a traceback)."""


class GrunndataError(Exception):
    """An error with a message meant for the user; the CLI prints it and exits non-zero."""

    exit_code = 1
