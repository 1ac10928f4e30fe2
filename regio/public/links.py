"""Short sign-up links, QR images, posters and ticket images."""
