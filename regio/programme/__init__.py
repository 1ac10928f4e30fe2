"""The programme of a meeting: plenary items and workshop rounds, and the workshop places."""
