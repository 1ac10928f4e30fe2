"""Registrations: the booking rules, the waiting list and personal links."""
