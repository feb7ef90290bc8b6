"""The HTTP layer: thin controllers over the domain services. No SQL here."""

API_PREFIX = "/api/v1"
