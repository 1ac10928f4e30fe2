"""Back office: audit_log."""
