"""The member space: magic-link sign-in, my details, the directory, my data, leaving."""

from network.members_space.views import bp

__all__ = ["bp"]
