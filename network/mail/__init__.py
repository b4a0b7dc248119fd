"""The e-mail outbox: every message is queued in the database, then delivered."""
