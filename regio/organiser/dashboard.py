"""Back office: dashboard."""
