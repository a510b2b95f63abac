"""One error model: the exit codes every command ends with, and the base class of luutru's errors.

A command ends with 0 when all is done, 2 when something needs a person (input quarantined, a page
that could not be read, a sheet with bad lines), and 1 when it could not run at all (a usage error,
an unreadable inventory, a busy index, a full disk). Library code raises a :class:`LuutruError`
whose message is meant for a person (Vietnamese); :meth:`luutru.cli.LuutruGroup.main` turns it into
that message and its exit code, in one place, so no command prints a traceback for it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1        # the command could not run
    NEEDS_PERSON = 2  # it ran, but something needs a person


class LuutruError(Exception):
    """An error a person can act on; ``str(error)`` says what happened and what to do."""

    exit_code: ExitCode = ExitCode.FAILED
