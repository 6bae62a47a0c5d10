from applications.errors import ApplicationError


class DisbursementError(ApplicationError):
    """A change of a batch the rules refuse; ``messages`` say why, in Chinese."""


class BatchUnavailable(DisbursementError):
    """The batch cannot take the transition now: it has moved on (another person took it, or
    it was never in that state). The message says where it stands, since when and by whom."""
