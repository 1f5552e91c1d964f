"""Exceptions of dsc. The extension raises `Error` for every ds::rt::Error."""

from __future__ import annotations


class Error(RuntimeError):
    """A dsc failure: bad bundle, bad input (dtype, rank, dims, names), kernel error.

    The message is a complete sentence naming the file, input or step involved.
    """


class CompileError(Error):
    """`ds-opt` failed. `stderr` holds its diagnostics, `command` the command line."""

    def __init__(self, message: str, *, stderr: str = "", returncode: int | None = None,
                 command: list[str] | None = None):
        super().__init__(message)
        self.stderr = stderr
        self.returncode = returncode
        self.command = list(command or [])


# Shown as dsc.Error / dsc.CompileError in tracebacks, where users catch them.
Error.__module__ = CompileError.__module__ = "dsc"
