"""The registration form on a meeting's page."""
