"""Operator tasks on a data dir: backup, restore, self-check."""
