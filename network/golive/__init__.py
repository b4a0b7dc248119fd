"""The one-time invitation of the imported members to their new space."""
