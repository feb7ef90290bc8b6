"""Alerts: ingest with dedup, triage (dismiss, reopen), listing."""
