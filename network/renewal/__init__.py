"""The yearly renewal: every November, members confirm they stay; non-responders are dropped."""
