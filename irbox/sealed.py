"""Secrets irbox must read back are sealed at rest: a webhook's signing secret cannot be kept as
a one-way hash, since every delivery is signed with it. It is stored as AES-GCM ciphertext
under a key of the data dir's own (`secret.key`, 32 random bytes, 0600, made at first use), so
the database, its WAL and a copy of irbox.db alone hold no secret in plain text. A backup
carries the key beside the database, as it must to be restorable: guard backups as the data dir.
Values stored before sealing existed (no prefix) are read as they are until migration 0015
seals them."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed:v1:"
KEY_FILE = "secret.key"


class SecretBox:
    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path
        self._aead: AESGCM | None = None

    def seal(self, plain: str) -> str:
        nonce = os.urandom(12)
        sealed = self._cipher().encrypt(nonce, plain.encode(), PREFIX.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        raw = base64.b64decode(stored[len(PREFIX) :])
        return self._cipher().decrypt(raw[:12], raw[12:], PREFIX.encode()).decode()

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            self._aead = AESGCM(self._key())
        return self._aead

    def _key(self) -> bytes:
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.key_path.read_bytes()
        key = AESGCM.generate_key(bit_length=256)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        return key
