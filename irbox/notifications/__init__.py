"""What users hear about their work: the in-app inbox (mentions, assignments, alerts added to
their cases), read in the UI and at /me/notifications."""
