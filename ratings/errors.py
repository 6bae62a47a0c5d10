from applications.errors import ApplicationError


class RatingError(ApplicationError):
    """A rating the rules refuse; ``messages`` say why, in Chinese."""
