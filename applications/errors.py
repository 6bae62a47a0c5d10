class ApplicationError(Exception):
    """A request the rules refuse; ``messages`` say why, in Chinese."""

    def __init__(self, *messages: str):
        self.messages = [str(m) for m in messages]
        super().__init__("；".join(self.messages))


class UploadRejected(ApplicationError):
    """An uploaded file refused before anything is stored."""
