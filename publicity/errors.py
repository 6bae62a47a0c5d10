from applications.errors import ApplicationError


class PublicityError(ApplicationError):
    """A 公示 or an objection cannot be changed as asked; ``messages`` say why, in Chinese."""
