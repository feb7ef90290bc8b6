"""Ed25519 public keys that sign irbox licenses (base64 of the raw 32-byte key). More can be
trusted with the `license_public_keys` config key (vendors' test keys, key rotation)."""

BUILT_IN_PUBLIC_KEYS: tuple[str, ...] = (
    # Placeholder vendor key: its private half was discarded when it was generated. Replace it
    # with the real vendor key (packaging/license_tool.py keygen) before the first release.
    "s9JrShNJPDg2ldfSEJLjE9f115OwCM3oMH6HL9dnJCk=",
)
