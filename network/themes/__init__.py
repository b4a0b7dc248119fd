"""Calls for workshop themes: members propose and vote, the GT QVT turns themes into workshops."""
