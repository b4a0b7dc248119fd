"""Bringing the network's existing members in from its former spreadsheets."""
