"""News of the network: calls for projects, partnership proposals, news, and the newsletters."""
