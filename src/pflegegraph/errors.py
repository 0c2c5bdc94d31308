"""Error types shared by the core, the CLI and the web faces.

Every error a user can cause carries a plain message and an exit code:
1 for a user error (unknown name, bad parameter, SPARQL syntax), 2 for unreadable input, 3 when a
remote store could not be reached, refused or failed (``push``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_UNREADABLE = 2
EXIT_REMOTE = 3


class PflegegraphError(Exception):
    """Base class: an error with a message meant for the person who caused it."""

    exit_code = EXIT_USER_ERROR

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserError(PflegegraphError):
    """The request was understood but cannot be carried out as asked."""


class RemoteFailure(PflegegraphError):
    """The remote store could not be reached or failed (status 502)."""

    exit_code = EXIT_REMOTE


class ServiceCallFailed(RemoteFailure):
    """A SERVICE endpoint the query calls could not be reached or failed (status 502)."""


class UnreadableInputError(PflegegraphError):
    """An input file or directory is missing, unreadable or not valid RDF."""

    exit_code = EXIT_UNREADABLE


class RdfSyntaxError(UnreadableInputError):
    """A data file does not parse. Carries the file, line and column."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str):
        self.path = path
        self.line = line
        self.column = column
        self.detail = detail
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {detail}")


class QuerySyntaxError(UserError):
    """A SPARQL query does not parse. Carries line and column where known."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None,
                 source: str | None = None):
        self.detail = detail
        self.line = line
        self.column = column
        where = "SPARQL syntax error"
        if source:
            where += f" in {source}"
        if line is not None:
            where += f" at line {line}, column {column}"
        super().__init__(f"{where}: {detail}")
