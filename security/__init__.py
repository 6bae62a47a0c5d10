"""Security and reliability tasks of the site's operators: backing up the database and the
uploaded documents, and restoring them into an empty installation (数据备份恢复)."""
