"""Partners (platforms, helplines) and their API keys.

A key reads ``stk_<key_id>_<secret>``: the key id finds the partner's row by index, and only that
row's scrypt hash is checked, so authenticating never scans every slow hash. A key that checked
out once is remembered in memory as a SHA-256 digest for a while, so serving a request costs one
indexed lookup (to see revocations at once) rather than a scrypt run each time.

The API goes one step further on its hot paths (:meth:`PartnerStore.recently_authenticated`): a
key that authenticated in this process less than a second ago is taken as still valid without
reading its row, so a revocation or key rotation made elsewhere takes effect within that second;
one made through this store takes effect at once (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from stukje.bank import schema
from stukje.bank.base import Actor, StoreBase, require
from stukje.bank.credentials import hash_secret, new_api_key, parse_api_key, verify_secret
from stukje.bank.models import Partner, Scope
from stukje.errors import (
    ConflictError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    RevokedKeyError,
)

__all__ = ["PartnerStore", "parse_scopes"]

_VERIFIED_TTL_S: Final = 300.0
#: At most this many keys are remembered by ``recently_authenticated`` (then it starts afresh).
_RECENT_KEYS_KEPT: Final = 10_000


def _digest(api_key: str) -> bytes:
    return hashlib.sha256(api_key.encode("utf-8")).digest()


def parse_scopes(scopes: Iterable[str | Scope] | str) -> frozenset[Scope]:
    """Scopes from names (or one comma-separated string); InvalidInputError for unknown ones."""
    names = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    cleaned = [str(name).strip().lower() for name in names if str(name).strip()]
    unknown = sorted(set(cleaned) - {scope.value for scope in Scope})
    if unknown:
        known = ", ".join(scope.value for scope in Scope)
        raise InvalidInputError(f"unknown scope(s) {', '.join(unknown)}; known: {known}")
    return frozenset(Scope(name) for name in cleaned)


def _partner(row: Row[Any]) -> Partner:
    return Partner(
        id=row.id,
        name=row.name,
        key_id=row.key_id,
        scopes=parse_scopes(row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


_PARTNER_BY_KEY_ID = select(schema.partners).where(schema.partners.c.key_id == bindparam("key_id"))


class PartnerStore(StoreBase):
    """The partner methods of :class:`stukje.bank.Bank`."""

    def create_partner(
        self, name: str, scopes: Iterable[str | Scope] | str, *, actor: Actor = "cli"
    ) -> tuple[Partner, str]:
        """A new partner and its API key; the key is returned this once and never stored."""
        require(actor, Scope.ADMIN)
        name = name.strip()
        if not name or len(name) > 128:
            raise InvalidInputError("a partner's name is 1 to 128 characters")
        wanted = parse_scopes(scopes)
        if not wanted:
            raise InvalidInputError("a partner needs at least one scope")
        key_id, api_key = new_api_key()
        values = {
            "name": name,
            "key_id": key_id,
            "key_hash": hash_secret(api_key, self._scrypt_cost),
            "scopes": ",".join(sorted(scope.value for scope in wanted)),
            "created_at": self._now(),
        }
        try:
            with self._write() as connection:
                row = connection.execute(
                    insert(schema.partners).values(**values).returning(schema.partners)
                ).one()
                self._audit(connection, actor, "partner.create", f"partner:{row.id}")
        except IntegrityError as exc:
            raise ConflictError(f"there is already a partner named {name!r}") from exc
        return _partner(row), api_key

    def rotate_key(self, name_or_id: str | int, *, actor: Actor = "cli") -> tuple[Partner, str]:
        """Give a partner a new API key (the old one stops working); returns the new key once."""
        require(actor, Scope.ADMIN)
        key_id, api_key = new_api_key()
        key_hash = hash_secret(api_key, self._scrypt_cost)
        with self._write() as connection:
            partner = self._find(connection, name_or_id)
            p = schema.partners
            row = connection.execute(
                update(p)
                .where(p.c.id == partner.id)
                .values(key_id=key_id, key_hash=key_hash, revoked_at=None)
                .returning(p)
            ).one()
            self._audit(connection, actor, "partner.rotate_key", f"partner:{partner.id}")
        self._forget_recent_keys()
        return _partner(row), api_key

    def authenticate(self, api_key: str) -> Partner:
        """The partner whose key this is; InvalidCredentialsError or RevokedKeyError otherwise."""
        key_id = parse_api_key(api_key)
        # One read, no transaction (on PostgreSQL one round trip); revocation is seen at once.
        with self._one_statement.connect() as connection:
            row = connection.execute(_PARTNER_BY_KEY_ID, {"key_id": key_id}).one_or_none()
        if row is None or not self._key_matches(key_id, api_key, row.key_hash):
            raise InvalidCredentialsError("the API key is not valid")
        # Checked after the secret, so a guessed key id alone tells nothing about revocations.
        if row.revoked_at is not None:
            raise RevokedKeyError("this API key was revoked")
        partner = _partner(row)
        self._remember(api_key, partner)
        return partner

    def recently_authenticated(self, api_key: str, max_age_s: float) -> Partner | None:
        """The partner of a key that :meth:`authenticate` accepted under ``max_age_s`` ago.

        Memory only, no database read: a revocation or rotation made by another process is
        missed for up to ``max_age_s``; one made through this store is seen at once.
        """
        found = self._recent_keys.get(_digest(api_key))
        if found is None or time.monotonic() - found[1] >= max_age_s:
            return None
        return found[0]

    def _remember(self, api_key: str, partner: Partner) -> None:
        if len(self._recent_keys) >= _RECENT_KEYS_KEPT:
            self._recent_keys.clear()
        self._recent_keys[_digest(api_key)] = (partner, time.monotonic())

    def _forget_recent_keys(self) -> None:
        self._recent_keys.clear()

    def revoke_partner(self, name_or_id: str | int, *, actor: Actor = "cli") -> Partner:
        require(actor, Scope.ADMIN)
        with self._write() as connection:
            partner = self._find(connection, name_or_id)
            if partner.revoked_at is None:
                p = schema.partners
                connection.execute(
                    update(p).where(p.c.id == partner.id).values(revoked_at=self._now())
                )
                self._audit(connection, actor, "partner.revoke", f"partner:{partner.id}")
            row = connection.execute(
                select(schema.partners).where(schema.partners.c.id == partner.id)
            ).one()
        self._forget_recent_keys()
        return _partner(row)

    def get_partner(self, name_or_id: str | int) -> Partner:
        with self._read() as connection:
            return self._find(connection, name_or_id)

    def list_partners(self, *, actor: Actor = "cli") -> list[Partner]:
        require(actor, Scope.ADMIN)
        with self._write() as connection:
            rows = connection.execute(select(schema.partners).order_by(schema.partners.c.id)).all()
            self._audit(connection, actor, "partner.list", "partners")
        return [_partner(row) for row in rows]

    def _find(self, connection: Any, name_or_id: str | int) -> Partner:
        p = schema.partners
        condition = p.c.name == str(name_or_id)
        if isinstance(name_or_id, int) or str(name_or_id).isdigit():
            condition = condition | (p.c.id == int(name_or_id))
        row = connection.execute(select(p).where(condition).order_by(p.c.id)).first()
        if row is None:
            raise NotFoundError(f"there is no partner {name_or_id!r}")
        return _partner(row)

    def _key_matches(self, key_id: str, api_key: str, key_hash: str) -> bool:
        digest = _digest(api_key)
        if self._remembered(key_id, key_hash, digest):
            return True
        # One scrypt run per key at a time: when a worker starts (or a key's memory runs out),
        # every request already waiting with that key would otherwise run its own, tens of
        # milliseconds and 16 MiB each, all at once. The others wait and then find it remembered.
        # Keyed by the presented key's digest, so wrong guesses never hold up the right key.
        with self._single_flight((key_id, digest)):
            if self._remembered(key_id, key_hash, digest):
                return True
            if not verify_secret(api_key, key_hash):
                return False
            self._verified_keys[(key_id, key_hash)] = (digest, time.monotonic() + _VERIFIED_TTL_S)
            return True

    def _remembered(self, key_id: str, key_hash: str, digest: bytes) -> bool:
        remembered = self._verified_keys.get((key_id, key_hash))
        return bool(
            remembered
            and remembered[1] > time.monotonic()
            and hmac.compare_digest(remembered[0], digest)
        )

    @contextmanager
    def _single_flight(self, key: tuple[str, bytes]) -> Iterator[None]:
        """Hold the lock for ``key``; the lock is dropped when its last holder or waiter leaves."""
        with self._flights_lock:
            lock, users = self._flights.get(key, (threading.Lock(), 0))
            self._flights[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._flights_lock:
                lock, users = self._flights[key]
                if users == 1:
                    del self._flights[key]
                else:
                    self._flights[key] = (lock, users - 1)
