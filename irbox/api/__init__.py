"""The HTTP layer: thin controllers over the domain services. No SQL here."""
