"""Meetings: the four regional meetings and what organisers change about them."""
