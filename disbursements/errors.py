from applications.errors import ApplicationError


class DisbursementError(ApplicationError):
    """A change of a batch the rules refuse; ``messages`` say why, in Chinese."""
