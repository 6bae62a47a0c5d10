"""The site's security: the audit trail (安全审计) of data changes and security events, kept in one
tamper-evident chain."""
