"""Back office: auth."""
