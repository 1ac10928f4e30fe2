"""The personal page behind /aanmelding/<token>."""
