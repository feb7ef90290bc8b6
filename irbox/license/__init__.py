"""Licensing: signed license files verified offline, seats, grace period and lock."""
