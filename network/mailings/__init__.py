"""Mailings: the GT QVT writes to the network's mailing list (or a segment of it)."""
