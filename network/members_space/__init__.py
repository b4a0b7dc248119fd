"""The member space: magic-link sign-in, my details, the directory, my data, leaving."""
