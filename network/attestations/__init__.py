"""Attestations of presence and of membership, their codes, PDFs, badge and public check."""
