"""Cases: opening one, adding signals, looking at it and withdrawing it, guarded by a PIN.

Failed PIN tries are stored with their time; after 10 in an hour the case refuses every try
(right or wrong) until the oldest failure is an hour old. A helpline partner may act on any case
without the PIN; what it does is audited.

Unknown case numbers and wrong PINs raise different errors (NotFoundError and
InvalidCredentialsError), so a person who mistyped the number is told so. This does not let
anyone enumerate cases cheaply: case numbers are drawn at random from about 2**59, and an unknown
number costs the same scrypt work as a known one, so timing tells nothing either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from stukje.bank import schema
from stukje.bank.base import StoreBase, require
from stukje.bank.credentials import (
    format_case_number,
    hash_secret,
    new_case_number,
    new_pin,
    normalize_case_number,
    verify_secret,
)
from stukje.bank.feed import NewSignalRow, insert_signals, withdraw_signals
from stukje.bank.models import (
    CaseReceipt,
    CaseView,
    Partner,
    Scope,
    SignalRecord,
    Status,
    Verdict,
)
from stukje.errors import (
    ConflictError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    TooManyAttemptsError,
)
from stukje.hashing import PdqHash

__all__ = ["DEFAULT_BANK", "MAX_PIN_FAILURES", "PIN_WINDOW", "CaseStore", "SignalInput"]

DEFAULT_BANK: Final = "default"
MAX_PIN_FAILURES: Final = 10
PIN_WINDOW: Final = timedelta(hours=1)
#: Each picture is submitted as a set of about 340 hashes (297-418 on the test photos;
#: docs/quality.md), so a case of about 59 pictures fits (48 of the busiest test photo).
MAX_SIGNALS_PER_CASE: Final = 20_000
#: Checked against when a case number is unknown, so that costs as much as a wrong PIN.
_DUMMY_PIN_HASH: Final = hash_secret("not a pin")

SignalInput = PdqHash | SignalRecord


def _records(signals: Iterable[SignalInput]) -> list[SignalRecord]:
    records = [s if isinstance(s, SignalRecord) else SignalRecord(value=s) for s in signals]
    if len(records) > MAX_SIGNALS_PER_CASE:
        raise InvalidInputError(f"a case holds at most {MAX_SIGNALS_PER_CASE} signals")
    for record in records:
        if record.quality is not None and not 0 <= record.quality <= 100:
            raise InvalidInputError("a signal's quality is between 0 and 100")
    return records


class CaseStore(StoreBase):
    """The case methods of :class:`stukje.bank.Bank`."""

    def create_case(
        self,
        signals: Sequence[SignalInput],
        language: str,
        opened_by: Partner | None = None,
        *,
        bank: str = DEFAULT_BANK,
    ) -> CaseReceipt:
        """Open a case holding ``signals``; the receipt carries the PIN, shown this once."""
        if opened_by is not None:
            require(opened_by, Scope.HELPLINE)
        records = _records(signals)
        if not records:
            raise InvalidInputError("a case needs at least one signal")
        number, pin = new_case_number(), new_pin()
        pin_hash = hash_secret(pin, self._scrypt_cost)
        with self._write() as connection:
            bank_id = self._bank_id(connection, bank, create=True)
            case_id = connection.scalar(
                insert(schema.cases)
                .values(
                    case_number=number,
                    pin_hash=pin_hash,
                    status=Status.ACTIVE.value,
                    language=language[:16],
                    bank_id=bank_id,
                    opened_by_partner_id=opened_by.id if opened_by else None,
                    created_at=self._now(),
                )
                .returning(schema.cases.c.id)
            )
            assert case_id is not None
            added = self._add_to_case(connection, case_id, bank_id, records)
            self._audit(connection, opened_by or "case-holder", "case.create", f"case:{case_id}")
        return CaseReceipt(case_number=format_case_number(number), pin=pin, signal_count=added)

    def add_signals(
        self,
        case_number: str,
        signals: Sequence[SignalInput],
        *,
        pin: str | None = None,
        helpline: Partner | None = None,
    ) -> int:
        """Add signals to an active case; returns how many were new to it."""
        records = _records(signals)
        with self._write() as connection:
            case = self._authorize(connection, case_number, pin, helpline)
            if case.status != Status.ACTIVE.value:
                raise ConflictError("this case was withdrawn; open a new case instead")
            added = self._add_to_case(connection, case.id, case.bank_id, records)
            self._audit(
                connection, helpline or "case-holder", "case.add_signals", f"case:{case.id}"
            )
        return added

    def get_case(
        self, case_number: str, pin: str | None = None, *, helpline: Partner | None = None
    ) -> CaseView:
        """Status, signal count and a summary of what partners did with matches."""
        with self._write() as connection:  # a failed PIN try is written down
            case = self._authorize(connection, case_number, pin, helpline)
            if helpline is not None:
                self._audit(connection, helpline, "case.read", f"case:{case.id}")
        return self._view(case.id)

    def withdraw_case(
        self, case_number: str, *, pin: str | None = None, helpline: Partner | None = None
    ) -> CaseView:
        """Withdraw the case and every signal in it (each withdrawal enters the change feed)."""
        with self._write() as connection:
            case = self._authorize(connection, case_number, pin, helpline)
            if case.status == Status.ACTIVE.value:
                now = self._now()
                connection.execute(
                    update(schema.cases)
                    .where(schema.cases.c.id == case.id)
                    .values(status=Status.WITHDRAWN.value, withdrawn_at=now)
                )
                ids = connection.scalars(
                    select(schema.signals.c.id).where(schema.signals.c.case_id == case.id)
                ).all()
                withdraw_signals(connection, ids, now)
                self._audit(
                    connection, helpline or "case-holder", "case.withdraw", f"case:{case.id}"
                )
        return self._view(case.id)

    def _add_to_case(
        self, connection: Connection, case_id: int, bank_id: int, records: list[SignalRecord]
    ) -> int:
        s = schema.signals
        present = {
            (row.signal_type, bytes(row.value))
            for row in connection.execute(
                select(s.c.signal_type, s.c.value).where(s.c.case_id == case_id)
            )
        }
        new: dict[tuple[str, bytes], SignalRecord] = {}
        for record in records:
            key = (record.signal_type, record.value.value)
            if key not in present:
                new.setdefault(key, record)
        if len(present) + len(new) > MAX_SIGNALS_PER_CASE:
            raise InvalidInputError(
                f"a case holds at most {MAX_SIGNALS_PER_CASE:,} signals; this one has "
                f"{len(present):,} and {len(new):,} more would not fit: open another case"
            )
        rows = [NewSignalRow(record, bank_id, case_id) for record in new.values()]
        insert_signals(connection, rows, self._now())
        return len(rows)

    def _authorize(
        self,
        connection: Connection,
        case_number: str,
        pin: str | None,
        helpline: Partner | None,
    ) -> Row[Any]:
        """The case row, if the PIN is right (or a helpline asks); raises otherwise."""
        number = normalize_case_number(case_number)
        c = schema.cases
        case = connection.execute(
            select(c).where(c.c.case_number == number).with_for_update()
        ).one_or_none()
        if helpline is not None:
            require(helpline, Scope.HELPLINE)
            if case is None:
                raise NotFoundError("there is no case with this number")
            return case
        if pin is None:
            raise InvalidCredentialsError("this needs the case's PIN")
        if case is None:
            verify_secret(pin, _DUMMY_PIN_HASH)
            raise NotFoundError("there is no case with this number")
        self._check_throttle(connection, case.id)
        if not verify_secret(pin, case.pin_hash):
            connection.execute(
                insert(schema.pin_failures).values(case_id=case.id, failed_at=self._now())
            )
            # Keep the failure even though the caller's transaction ends in an exception.
            connection.commit()
            raise InvalidCredentialsError("the PIN is not right for this case")
        return case

    def _check_throttle(self, connection: Connection, case_id: int) -> None:
        f = schema.pin_failures
        window_start = self._now() - PIN_WINDOW
        connection.execute(delete(f).where(f.c.case_id == case_id, f.c.failed_at < window_start))
        recent = connection.execute(
            select(func.count(), func.min(f.c.failed_at)).where(f.c.case_id == case_id)
        ).one()
        if recent[0] >= MAX_PIN_FAILURES:
            wait = recent[1] + PIN_WINDOW - self._now()
            retry_after = max(1, int(wait.total_seconds()) + 1)
            raise TooManyAttemptsError(
                f"too many wrong PINs for this case; try again in {retry_after // 60 + 1} minutes",
                retry_after_s=retry_after,
            )

    def _view(self, case_id: int) -> CaseView:
        s, m, fb = schema.signals, schema.match_events, schema.feedback
        with self._read() as connection:
            case = connection.execute(
                select(schema.cases).where(schema.cases.c.id == case_id)
            ).one()
            signal_count = connection.scalar(
                select(func.count()).where(s.c.case_id == case.id, s.c.status == "active")
            )
            in_case = select(s.c.id).where(s.c.case_id == case.id).scalar_subquery()
            match_count = connection.scalar(select(func.count()).where(m.c.signal_id.in_(in_case)))
            verdicts = connection.execute(
                select(fb.c.verdict, func.count())
                .join(m, m.c.id == fb.c.match_event_id)
                .where(m.c.signal_id.in_(in_case))
                .group_by(fb.c.verdict)
            ).all()
        return CaseView(
            case_number=format_case_number(case.case_number),
            status=Status(case.status),
            language=case.language,
            created_at=case.created_at,
            signal_count=int(signal_count or 0),
            match_count=int(match_count or 0),
            partner_actions={Verdict(v): int(n) for v, n in verdicts},
        )
