"""Back office: exports."""
