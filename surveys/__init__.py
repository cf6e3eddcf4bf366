"""The domain of Avis: models and rules, with no web framework in sight."""


class DomainError(Exception):
    """A rule of the domain refused an operation; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
