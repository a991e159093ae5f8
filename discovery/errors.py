"""Exception types. Every error a user can cause derives from :class:`DiscoveryError`.

The CLI turns a ``DiscoveryError`` into one line on stderr and exit code 2; library callers
can catch it. Messages name the problem and the fix.
"""


class DiscoveryError(ValueError):
    """Base class for user-facing errors (bad input, bad configuration)."""


class SchemeFormatError(DiscoveryError):
    """A scheme's data is malformed: shapes, coefficient types, format mismatch."""


class SchemeFileError(DiscoveryError):
    """A file could not be read or written as a scheme file (names the file)."""


class RunRecordFile(SchemeFileError):
    """A JSON file is a run record (a run's config and state, ``best.json``), not a scheme.

    Loaders of folders skip such files by name (see :class:`discovery.search.store.SchemeStore`)."""


class UnsafeFileError(SchemeFileError):
    """A file asked to run code when loaded (e.g. an arbitrary pickle) and was refused."""


class VerificationError(DiscoveryError):
    """A scheme is not a valid matrix multiplication algorithm over the requested ring."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report
