"""The signing keyring: key ids so keys rotate, one derived key per purpose (ADR 0010).

Every link and token names the id (`kid`) of the key that signed it. New ones are signed with the current
key; any key still in the ring verifies what it signed, so a rotation breaks no link or subscription
until the old key is removed. Nothing is signed with a ring key itself: each purpose (staff tokens, each
kind of participant link) gets its own key derived with HKDF-Expand (RFC 5869), so a signature made for
one purpose is worthless for another even if the formats ever collided.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

KEY_ID_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"  # no dot: links are dot-separated
MIN_KEY_LENGTH = 32
# Only for development and tests; production refuses it (Settings.refuse_if_insecure).
DEVELOPMENT_SIGNING_KEY = "local-development-signing-key-change-me"
_PLACEHOLDER_MARKS = ("change-me", "changeme", "change_me", DEVELOPMENT_SIGNING_KEY)


class UnknownKey(Exception):
    """A link or token names a key id that is not (or no longer) in the keyring."""


def weak_key_reason(key: str) -> str | None:
    """Why `key` must not sign anything in production, or None."""
    if any(mark in key.lower() for mark in _PLACEHOLDER_MARKS):
        return "is a default or placeholder (CHANGE-ME)"
    if len(key) < MIN_KEY_LENGTH:
        return f"is shorter than {MIN_KEY_LENGTH} characters"
    if len(set(key)) < 8:
        return "repeats too few characters to be random"
    return None


def _hkdf_expand(key: bytes, info: bytes) -> bytes:
    # HKDF-Expand for one SHA-256 block, with the ring key as the PRK (it is already a random secret).
    return hmac.new(key, info + b"\x01", hashlib.sha256).digest()


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: Mapping[str, str]
    _derived: dict[tuple[str, str], bytes] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError(f"the current key id {self.current!r} is not in the keyring")
        for kid in self.keys:
            if not re.fullmatch(KEY_ID_PATTERN, kid):
                raise ValueError(f"key id {kid!r} must be 1-32 letters, digits, '-' or '_'")

    @classmethod
    def single(cls, key: str, kid: str = "k1") -> Keyring:
        return cls(current=kid, keys={kid: key})

    def raw(self, kid: str) -> bytes:
        if kid not in self.keys:
            raise UnknownKey(f"unknown key id {kid!r}")
        return self.keys[kid].encode()

    def derive(self, kid: str, purpose: str) -> bytes:
        """The key of `purpose` under ring key `kid` (cached: links are checked on every page view)."""
        cached = self._derived.get((kid, purpose))
        if cached is None:
            cached = _hkdf_expand(self.raw(kid), b"selvhjelp/" + purpose.encode())
            self._derived[(kid, purpose)] = cached
        return cached
