"""Users, roles, API keys and scopes."""
