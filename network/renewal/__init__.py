"""The yearly renewal: every November, members confirm they stay; non-responders are dropped."""

from network.renewal.views import bp

__all__ = ["bp"]
