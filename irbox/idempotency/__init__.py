"""Idempotent POSTs: the records that let a retried request replay its first answer."""
