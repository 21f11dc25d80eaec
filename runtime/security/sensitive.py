"""Sensitive fields: encrypted at rest, masked on the way out.

A text-like field (text, textarea, email, phone, url) with ``"sensitive": true``
gets a ``SealedText`` column: values are AES-GCM encrypted when bound to SQL
and decrypted when read, so every write path (service, batch import) and every
read path sees plaintext while the database holds only ``enc1:`` ciphertext.
The key belongs to the engine (``install_key``), from ``METACRM_FIELD_KEY``
or, when unset, derived from the secret key. SQL cannot compare ciphertext, so
these fields are never searched and ``where``/``order`` on them is a 422.

Who sees the plain value (masking rule, ``revealed_names``):

* everywhere (lists, kanban cards, record pages, exports, the API): administrators,
  and users holding a role whose grant on the entity lists the field in ``reveal``;
* also on the record page and the single-record API GET: users who may update the
  record's entity and whose roles give the field ``write`` access;
* a lookup of a sensitive field: administrators only;
* everyone else sees a mask: ``••••1234`` (phone), ``a•••@example.com`` (email),
  ``••••`` otherwise.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from runtime.errors import MetacrmError
from runtime.errors import ValidationFailed
from runtime.fieldtypes.base import SENSITIVE_TYPES
from runtime.records.filter_names import named_fields

__all__ = ["SENSITIVE_TYPES", "SealedText", "field_key", "install_key", "is_sensitive", "mask", "mask_record",
           "redact_changes", "redact_rows", "redacted", "refuse_sensitive", "revealed_names", "sealed_names", "sensitive_fields",
           "sensitive_names"]

PREFIX = "enc1:"
MASK = "••••"
_log = logging.getLogger(__name__)
_warned: list[bool] = []


class KeyMissing(MetacrmError):
    code = "field_key_missing"
    http_status = 500


def field_key(configured: str | None, secret_key: str) -> bytes:
    """The 32-byte key: ``METACRM_FIELD_KEY`` (base64) or, with a warning once, one derived by
    HKDF from the secret key (changing that secret then makes sensitive values unreadable)."""
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            raise ValueError("METACRM_FIELD_KEY must be 32 bytes, base64-encoded")
        return key
    if not _warned:
        _warned.append(True)
        _log.warning("METACRM_FIELD_KEY is not set: sensitive fields use a key derived from the secret key")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"metacrm sensitive fields")
    return hkdf.derive(secret_key.encode())


def install_key(engine, key: bytes) -> None:
    """Give ``engine`` the key its ``SealedText`` columns use (the dialect travels with each value)."""
    engine.dialect.metacrm_field_cipher = AESGCM(key)


def _cipher(dialect) -> AESGCM:
    cipher = getattr(dialect, "metacrm_field_cipher", None)
    if cipher is None:
        raise KeyMissing("no key for sensitive fields on this engine (install_key)")
    return cipher


class SealedText(TypeDecorator):
    """Text stored as ``enc1:`` + base64(nonce + AES-GCM ciphertext); a value without the prefix
    (written before the field became sensitive) reads back as it is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        nonce = os.urandom(12)
        sealed = _cipher(dialect).encrypt(nonce, str(value).encode(), None)
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def process_result_value(self, value, dialect):
        if not isinstance(value, str) or not value.startswith(PREFIX):
            return value
        raw = base64.b64decode(value[len(PREFIX):])
        try:
            return _cipher(dialect).decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            raise KeyMissing("a sensitive value cannot be decrypted: wrong METACRM_FIELD_KEY?") from None


def is_sensitive(field) -> bool:
    return field.type in SENSITIVE_TYPES and bool(field.opt("sensitive", False))


def sensitive_fields(registry, entity) -> dict[str, str]:
    """``{field: type}`` of the entity's sensitive fields, lookups of sensitive fields included
    (a lookup reads the other column decrypted, so it is masked the same way).

    Read on every record a screen or the API returns, so worked out once per
    published schema (the registry's cache); callers must not change it."""
    key = ("sensitive_fields", entity.app, entity.name)
    found = registry.cache.get(key)
    if found is None:
        found = registry.cache[key] = _find_sensitive(registry, entity)
    return found


def _find_sensitive(registry, entity) -> dict[str, str]:
    found = {f.name: f.type for f in entity.fields if is_sensitive(f)}
    for lookup in (f for f in entity.fields if f.type == "lookup"):
        source = lookup.opt("source")
        if not (source and entity.has_field(source)):
            continue
        target, _table = registry.target(entity, entity.field(source).opt("target"))
        if target.has_field(lookup.opt("field")) and is_sensitive(target.field(lookup.opt("field"))):
            found[lookup.name] = target.field(lookup.opt("field")).type
    return found


def sensitive_names(registry, entity) -> frozenset[str]:
    return frozenset(sensitive_fields(registry, entity))


def revealed_names(registry, entity, access, *, record_page: bool = False) -> frozenset[str]:
    """The sensitive fields (``sensitive_fields``) ``access``'s user sees in clear: in a list or
    export, or on a ``record_page`` (also the single-record API GET); see the masking rule above."""
    sensitive = sensitive_fields(registry, entity)
    if access.is_admin:
        return frozenset(sensitive)
    own = {name for name in sensitive if is_sensitive(entity.field(name))}  # lookups: admins only
    shown = own & access.revealed_fields(entity)
    if record_page and access.can(entity, "update"):
        shown |= {name for name in own if access.writable(entity, name)}
    return frozenset(shown)


def mask(field_type: str, value):
    """The shown form of a value the user may not read in full."""
    if not isinstance(value, str) or not value:
        return value
    if field_type == "phone":
        digits = re.sub(r"\D", "", value)
        return MASK + digits[-4:] if len(digits) > 4 else MASK
    if field_type == "email" and "@" in value:
        local, _, domain = value.rpartition("@")
        return local[:1] + "•••@" + domain
    return MASK


def mask_record(sensitive: dict[str, str], record: dict, keep: frozenset[str] = frozenset()) -> dict:
    """``record`` with the ``sensitive`` (``sensitive_fields``) values masked, except those in ``keep``."""
    names = [n for n in sensitive if n in record and n not in keep]
    if not names:
        return record
    return {**record, **{n: mask(sensitive[n], record[n]) for n in names}}


def sealed_names(entity) -> frozenset[str]:
    """The entity's own sensitive fields, the ones stored encrypted (not lookups of other entities')."""
    return frozenset(f.name for f in entity.fields if is_sensitive(f))


def redacted(value):
    """What history keeps of a sensitive value: whether there was one, never the value."""
    return None if value is None else MASK


def redact_changes(entity, changes: dict) -> dict:
    """History and change hooks note that a sensitive field changed, never its values."""
    names = sealed_names(entity) & changes.keys()
    if not names:
        return changes
    return {**changes, **{n: [redacted(v) for v in changes[n]] for n in names}}


def redact_rows(entity, rows: list[dict]) -> list[dict]:
    """Child rows of ``entity`` as a parent's history keeps them: sensitive values only noted as set."""
    names = sealed_names(entity)
    if not names:
        return rows
    return [{k: redacted(v) if k in names else v for k, v in row.items()} for row in rows]


def refuse_sensitive(registry, entity, where: str | None, order: str | None) -> None:
    """Encrypted values cannot be compared in SQL: filtering or sorting on them is a 422."""
    names = sensitive_names(registry, entity)
    if not names:
        return
    in_where, ordered = (named & names for named in named_fields(where, order))
    if in_where or ordered:
        name = min(in_where or ordered)
        where_or_order = "where" if in_where else "order"
        raise ValidationFailed(f"{name!r} is a sensitive field: it cannot be filtered or sorted on",
                               details={where_or_order: f"{name!r} is sensitive"})
