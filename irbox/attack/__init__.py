"""The bundled MITRE ATT&CK Enterprise catalogue: technique ids, names, tactics, platforms."""
