"""Joining the network: the public pages, the sign-up form and the charter."""

from network.membership.views import bp

__all__ = ["bp"]
