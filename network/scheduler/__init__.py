"""The scheduler: one short tick that asks the services what is due now."""
