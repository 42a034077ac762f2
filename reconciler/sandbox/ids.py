"""Ids and tokens as Mattermost makes them (model.NewId): 16 random bytes in base32
with Mattermost's alphabet, unpadded: 26 lowercase characters."""

from __future__ import annotations

import base64
import os
import time

ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769"
_STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_MATTERMOST = str.maketrans(_STANDARD, ALPHABET)


def new_id() -> str:
    return base64.b32encode(os.urandom(16)).decode().rstrip("=").translate(_TO_MATTERMOST)


def is_valid_id(value: str) -> bool:
    return len(value) == 26 and value.isalnum()


def now_ms() -> int:
    return int(time.time() * 1000)
