"""Joining the network: the public pages, the sign-up form and the charter."""
