"""The audit log as admins read it: every state change with actor, key, client IP and time (the
rows are written by `store.audit` inside each change's own transaction)."""
