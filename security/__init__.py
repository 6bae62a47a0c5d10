"""等保 controls the site carries out itself: the audit trail (安全审计) of data changes and
security events, kept in one tamper-evident chain; backing up the database and the uploaded
documents and restoring them into an empty installation (数据备份恢复)."""
