"""Domain errors: every service raises one of these with a message the user can read."""


class DomainError(Exception):
    """A refused action. ``field`` names the form field the message belongs next to."""

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class Throttled(DomainError):
    def __init__(self, message, *, retry_after_seconds: int, field: str | None = None):
        super().__init__(message, field=field, code="throttled")
        self.retry_after_seconds = retry_after_seconds
