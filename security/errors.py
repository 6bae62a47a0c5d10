"""The one error of backing up and restoring."""


class BackupError(Exception):
    """A backup that cannot be taken, or restored, here and now; the message says why in the
    user's language, naming the file or table at fault."""
