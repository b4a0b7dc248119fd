"""The back-office of the GT QVT admins: one blueprint (`routes.bp`), one module per area."""
