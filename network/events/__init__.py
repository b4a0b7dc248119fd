"""Events: webinars, workshops, the annual meeting, modules — from registration to attendance."""
