"""The audit trail: what is followed (tracked), who and where (context), the security events
(recording), SQLite's stand-in for the triggers (fallback), the chain (chain), its guard in the
database (guard) and its exports (exports)."""
