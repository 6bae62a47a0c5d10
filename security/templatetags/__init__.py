"""The audit trail's template tags."""
