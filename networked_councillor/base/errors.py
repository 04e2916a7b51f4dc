"""The app's error types.

Every error carries a message written for a councillor, not a developer: it
says what went wrong in plain words and, where there is one, what to do. Only
`ui/errors.py` turns these into dialogs; the CLI prints them.
"""

from __future__ import annotations


class NcError(Exception):
    """Base of every error the app expects and explains."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ConfigError(NcError):
    """A setting, a ward profile or a source configuration is wrong."""


class SourceError(NcError):
    """A source could not be fetched or parsed."""

    def __init__(self, message: str, *, hint: str = "", retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
        self.status = status  # the HTTP status, when the source answered with one


class FetchBusy(NcError):
    """Another fetch of the same data folder is running; this one was skipped (not a failure)."""


class PluginError(NcError):
    """A source plugin could not be loaded or broke its contract."""


class StoreError(NcError):
    """The local database could not be opened, migrated or written."""


class TaggerError(NcError):
    """The local model could not be loaded or run."""


class ExportError(NcError):
    """An export could not be written or sent."""


class Cancelled(NcError):
    """The user cancelled a long-running job."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class SharedError(NcError):
    """The shared casework database could not be reached, or refused this person.

    ``offline`` says it simply could not be reached (edits wait on the laptop and go later); ``revoked`` says it
    answered and this person no longer has access.
    """

    def __init__(self, message: str, *, hint: str = "", offline: bool = False, revoked: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.offline = offline
        self.revoked = revoked
