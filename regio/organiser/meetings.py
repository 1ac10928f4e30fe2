"""Back office: meetings."""
