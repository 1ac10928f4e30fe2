"""Calendar feeds and the personal invite download."""
