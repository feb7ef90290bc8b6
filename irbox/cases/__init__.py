"""Cases: escalation, the case file, comments, evidence, ATT&CK mapping, resolution and report."""
