"""Organisers' accounts and their roles."""
