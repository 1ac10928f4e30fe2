"""Mail: the outbox, message building and the SMTP sender."""
