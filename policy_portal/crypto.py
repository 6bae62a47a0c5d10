"""Personal data encrypted at rest: the cipher, the keys and the keyed hash.

Each value is encrypted on its own with SM4-GCM (GB/T 32907, GCM as in RFC 8998) where the
installed OpenSSL provides it, else with AES-256-GCM, and written as text that names how it
was made, so values of both algorithms and of several keys can be read side by side::

    v1:sm4:k2026:<base64 of the 12-byte nonce, the ciphertext and the 16-byte tag>

The header and the field's purpose ("bank_account", "phone") are authenticated with the value,
so a value changed by one bit, a header rewritten or a value moved into a field of another
purpose fails to decrypt, as does a value under a key that is not configured: loudly, with
``FieldDecryptionError``, never as wrong text. The empty value stays empty: it hides nothing.

Keys come from the environment (``settings.FIELD_ENCRYPTION_KEYS``): ``id:base64,id:base64``,
256-bit keys, the first the one that encrypts, the others kept to read values not yet
re-encrypted (``manage.py rotate_field_keys``). The cipher's key is derived from it per algorithm
(HKDF with SM3 for SM4, with SHA-256 for AES), so one configured key serves both.

Where the site must find or compare a value without decrypting it, a keyed hash stands beside
it (``keyed_hash``: HMAC-SM3 where available, else HMAC-SHA256) under a key of its own,
``settings.FIELD_HASH_KEY`` (``id:base64``), also named in each hash so a new key can be
rolled out by the same command.

Below every app: imports Django and cryptography only.
"""

import base64
import binascii
import os
import re
from functools import lru_cache

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted: wrong or missing key, or changed since."""


def _sm4_gcm_available() -> bool:
    try:
        encryptor = Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        encryptor.update(b"probe")
        encryptor.finalize()
    except (UnsupportedAlgorithm, AttributeError, ValueError):
        return False
    return True


def _sm3_available() -> bool:
    try:
        digest = hashes.Hash(hashes.SM3())
        digest.update(b"probe")
        digest.finalize()
    except (UnsupportedAlgorithm, AttributeError, ValueError):
        return False
    return True


# Checked once, at import: what this process's OpenSSL can do. SM4's key is derived with SM3,
# so SM4-GCM counts as available only with SM3 beside it.
SM3_AVAILABLE = _sm3_available()
SM4_GCM_AVAILABLE = SM3_AVAILABLE and _sm4_gcm_available()


class _SM4GCM:
    """SM4-GCM with AESGCM's interface (cryptography offers SM4 through ``Cipher`` only)."""

    def __init__(self, key: bytes):
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        decryptor = Cipher(self._algorithm, modes.GCM(nonce, data[-TAG_BYTES:])).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(data[:-TAG_BYTES]) + decryptor.finalize()


# algorithm name in the header → (its AEAD, key bytes, hash for the key derivation)
_ALGORITHMS = {
    "sm4": (_SM4GCM, 16, hashes.SM3),
    "aes": (AESGCM, 32, hashes.SHA256),
}


def current_algorithm() -> str:
    return "sm4" if SM4_GCM_AVAILABLE else "aes"


def hash_algorithm() -> str:
    return "sm3" if SM3_AVAILABLE else "sha256"


# ── keys ──────────────────────────────────────────────────────────────────────────────────────


def parse_keys(value: str, *, setting: str) -> dict[str, bytes]:
    """``id:base64,id:base64`` as {id: key}, in order; anything malformed is refused."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in (value or "").split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{setting}: each key is id:base64, the id of letters, digits, - or _ (at most 16)."
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured(f"{setting}: key {key_id} is not base64.") from error
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"{setting}: key {key_id} must be 32 bytes (256 bits).")
        if key_id in keys:
            raise ImproperlyConfigured(f"{setting}: key id {key_id} appears twice.")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured(f"{setting} is not set: personal data cannot be encrypted.")
    return keys


@lru_cache(maxsize=8)
def _parsed(value: str, setting: str) -> tuple[str, dict[str, bytes]]:
    keys = parse_keys(value, setting=setting)
    return next(iter(keys)), keys


def encryption_keys() -> tuple[str, dict[str, bytes]]:
    """The current key's id and every configured key, from the settings."""
    return _parsed(settings.FIELD_ENCRYPTION_KEYS, "FIELD_ENCRYPTION_KEYS")


def hash_key() -> tuple[str, bytes]:
    key_id, keys = _parsed(settings.FIELD_HASH_KEY, "FIELD_HASH_KEY")
    return key_id, keys[key_id]


@lru_cache(maxsize=64)
def _aead(algorithm: str, key: bytes):
    """The cipher of ``algorithm`` under the key derived from the configured ``key``."""
    aead, length, digest = _ALGORITHMS[algorithm]
    derived = HKDF(
        algorithm=digest(), length=length, salt=None, info=f"policy-portal {algorithm}-gcm".encode()
    ).derive(key)
    return aead(derived)


# ── values ────────────────────────────────────────────────────────────────────────────────────


def _aad(header: str, purpose: str) -> bytes:
    return f"{header}|{purpose}".encode()


def encrypt(text: str, *, purpose: str, algorithm: str | None = None) -> str:
    """``text`` encrypted under the current key; "" stays ""."""
    if text == "":
        return ""
    algorithm = algorithm or current_algorithm()
    if algorithm == "sm4" and not SM4_GCM_AVAILABLE:
        raise FieldDecryptionError("SM4-GCM is not available in this OpenSSL.")
    key_id, keys = encryption_keys()
    header = f"{VERSION}:{algorithm}:{key_id}"
    nonce = os.urandom(NONCE_BYTES)
    body = _aead(algorithm, keys[key_id]).encrypt(nonce, text.encode(), _aad(header, purpose))
    return f"{header}:{binascii.b2a_base64(nonce + body, newline=False).decode()}"


def _header(token: str) -> tuple[str, str, str, str]:
    parts = token.split(":")
    if len(parts) != 4 or parts[0] != VERSION or parts[1] not in _ALGORITHMS:
        raise FieldDecryptionError(
            "A stored value is not an encrypted value of this site (clear text in an "
            "encrypted column?)."
        )
    return parts[0], parts[1], parts[2], parts[3]


def decrypt(token: str, *, purpose: str) -> str:
    if token == "":
        return ""
    version, algorithm, key_id, encoded = _header(token)
    if algorithm == "sm4" and not SM4_GCM_AVAILABLE:
        raise FieldDecryptionError(
            "A value is encrypted with SM4-GCM, which this process's OpenSSL does not provide."
        )
    _current, keys = encryption_keys()
    if key_id not in keys:
        raise FieldDecryptionError(
            f"A value is encrypted under key {key_id}, which FIELD_ENCRYPTION_KEYS does not hold."
        )
    try:
        raw = binascii.a2b_base64(encoded)
    except (binascii.Error, ValueError) as error:
        raise FieldDecryptionError("A stored encrypted value is damaged.") from error
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise FieldDecryptionError("A stored encrypted value is damaged.")
    aad = _aad(f"{version}:{algorithm}:{key_id}", purpose)
    try:
        clear = _aead(algorithm, keys[key_id]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
    except InvalidTag as error:
        raise FieldDecryptionError(
            f"A value under key {key_id} does not decrypt: the key is wrong, or the value was "
            "changed or moved from another field."
        ) from error
    return clear.decode()


def is_current(token: str) -> bool:
    """Whether ``token`` is encrypted as a new value would be: current algorithm and key."""
    if token == "":
        return True
    _version, algorithm, key_id, _body = _header(token)
    return algorithm == current_algorithm() and key_id == encryption_keys()[0]


# ── the keyed hash ────────────────────────────────────────────────────────────────────────────


def keyed_hash(text: str, *, purpose: str) -> str:
    """HMAC of ``text`` for ``purpose``: equal texts hash alike, the text cannot be read back.
    "" stays "" (an empty value is found by its emptiness)."""
    if text == "":
        return ""
    key_id, key = hash_key()
    algorithm = hash_algorithm()
    digest = hashes.SM3() if algorithm == "sm3" else hashes.SHA256()
    mac = hmac.HMAC(key, digest)
    mac.update(f"{purpose}\0{text}".encode())
    return f"{algorithm}:{key_id}:{mac.finalize().hex()}"


def hash_is_current(value: str) -> bool:
    if value == "":
        return True
    algorithm, _sep, rest = value.partition(":")
    return algorithm == hash_algorithm() and rest.partition(":")[0] == hash_key()[0]
