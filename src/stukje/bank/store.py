"""The bank store: one class, :class:`Bank`, with every storage operation as a plain method."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from stukje.bank.cases import CaseStore, SignalInput
from stukje.bank.engine import create_bank_engine
from stukje.bank.feed import FeedStore
from stukje.bank.matches import MatchStore
from stukje.bank.models import DemoSeed, Scope
from stukje.bank.outcomes import OutcomeStore
from stukje.bank.partners import PartnerStore
from stukje.bank.transfer import TransferStore
from stukje.config import Settings
from stukje.errors import NotFoundError

__all__ = ["DEMO_BANK", "DEMO_PARTNER", "Bank", "open_bank"]

DEMO_BANK = "demo"
DEMO_PARTNER = "demo"


class Bank(CaseStore, PartnerStore, MatchStore, FeedStore, TransferStore, OutcomeStore):
    """The durable hash bank: cases, signals, the change feed, partners, matches and audit.

    ``Bank(engine)`` refuses (ConfigError) a database that is not migrated to the newest
    revision. Methods open their own short transactions, so one Bank serves many threads.
    """

    def __enter__(self) -> Bank:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def seed_demo(self, signals: Sequence[SignalInput] = ()) -> DemoSeed:
        """A demo bank and a demo partner (every scope but admin) with a fresh API key.

        Run it again and the demo partner gets a new key (the old one stops working). With
        ``signals``, a demo case holding them is opened in the demo bank.
        """
        try:
            partner, api_key = self.rotate_key(DEMO_PARTNER, actor="system")
        except NotFoundError:
            scopes = [scope for scope in Scope if scope is not Scope.ADMIN]
            partner, api_key = self.create_partner(DEMO_PARTNER, scopes, actor="system")
        with self._write() as connection:
            self._bank_id(connection, DEMO_BANK, create=True)
        case = self.create_case(signals, "en", bank=DEMO_BANK) if signals else None
        return DemoSeed(bank=DEMO_BANK, partner=partner, api_key=api_key, case=case)


def open_bank(settings: Settings, *, engine: Engine | None = None) -> Bank:
    """The bank named by the settings (SQLite in data_dir unless STUKJE_DATABASE_URL is set)."""
    return Bank(engine or create_bank_engine(settings.resolved_database_url))
