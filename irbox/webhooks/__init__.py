"""Outgoing webhooks: signed deliveries of case events, retried with backoff for up to 24 h."""
