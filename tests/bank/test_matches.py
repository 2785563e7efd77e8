"""Match events, partner feedback, the review queue, helpline decisions, notes and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bank.helpers import random_hashes
from stukje.bank import (
    AuditEntry,
    Bank,
    CaseReceipt,
    Decision,
    NewMatchEvent,
    Partner,
    Status,
    Verdict,
)
from stukje.errors import ConflictError, NotFoundError, ScopeError


@pytest.fixture
def platform(bank: Bank) -> Partner:
    return bank.create_partner("platform", "match,feed,feedback")[0]


@pytest.fixture
def helpline(bank: Bank) -> Partner:
    return bank.create_partner("helpline", "helpline")[0]


@pytest.fixture
def case(bank: Bank) -> CaseReceipt:
    return bank.create_case(random_hashes(2), "en")


def _match(bank: Bank, partner: Partner, signal_id: int = 1) -> int:
    return bank.record_match_events(partner, [NewMatchEvent(signal_id, 4, "upload")])[0]


def test_match_events_and_feedback_reach_the_case_holder(
    bank: Bank, platform: Partner, case: CaseReceipt
) -> None:
    events = [NewMatchEvent(1, 0, "upload"), NewMatchEvent(2, 9, "forward")]
    ids = bank.record_match_events(platform, events)
    assert len(ids) == 2
    assert ids[0] < ids[1]
    bank.record_feedback(platform, ids[0], Verdict.BLOCKED)
    bank.record_feedback(platform, ids[1], Verdict.BLOCKED)
    view = bank.get_case(case.case_number, case.pin)
    assert (view.match_count, dict(view.partner_actions)) == (2, {Verdict.BLOCKED: 2})


def test_matches_need_known_signals_and_the_scope(
    bank: Bank, platform: Partner, helpline: Partner, case: CaseReceipt
) -> None:
    with pytest.raises(NotFoundError):
        bank.record_match_events(platform, [NewMatchEvent(77, 0, "upload")])
    with pytest.raises(ScopeError):
        bank.record_match_events(helpline, [NewMatchEvent(1, 0, "upload")])


def test_live_matches_are_recorded_in_one_go_and_withdrawn_ones_skipped(
    bank: Bank, platform: Partner, helpline: Partner, case: CaseReceipt
) -> None:
    other = bank.create_case(random_hashes(1), "en")  # signal 3
    bank.withdraw_case(other.case_number, pin=other.pin)
    events = [
        NewMatchEvent(2, 7, "send"),
        NewMatchEvent(3, 0, "upload"),  # withdrawn
        NewMatchEvent(99, 1, "upload"),  # unknown
        NewMatchEvent(1, 5, "upload"),
    ]
    audited = len(bank.audit_log("cli", limit=1000).entries)
    answers = bank.record_live_matches(platform, events)
    assert [a if a is None else (a[1].signal_id, a[1].bank) for a in answers] == [
        (2, "default"),
        None,
        None,
        (1, "default"),
    ]
    first, second = (a[0] for a in answers if a is not None)
    assert first < second
    entries = bank.audit_log("cli", limit=1000).entries
    assert [(e.actor, e.action, e.detail) for e in entries[: len(entries) - audited]] == [
        (f"partner:{platform.id}", "match.record", "count=2"),  # newest first
        ("cli", "audit.list", ""),
    ]
    bank.record_feedback(platform, second, Verdict.PENDING_REVIEW)
    [item] = bank.review_queue(helpline)
    assert (item.match_event_id, item.signal_id, item.distance) == (second, 1, 5)
    before = len(bank.audit_log("cli", limit=1000).entries)
    assert bank.record_live_matches(platform, events[1:3]) == [None, None]
    assert len(bank.audit_log("cli", limit=1000).entries) == before + 1  # only the read's entry
    with pytest.raises(ScopeError):
        bank.record_live_matches(helpline, events)


def test_live_matches_of_one_signal_each_get_their_own_event(
    bank: Bank, platform: Partner, helpline: Partner, case: CaseReceipt
) -> None:
    events = [
        NewMatchEvent(1, 9, "upload"),
        NewMatchEvent(2, 3, "send"),
        NewMatchEvent(1, 4, "upload"),
        NewMatchEvent(1, 9, "upload"),  # the same as the first: a second event all the same
    ]
    answers = bank.record_live_matches(platform, events)
    ids = [a[0] for a in answers if a is not None]
    assert len(answers) == len(ids) == len(set(ids)) == 4
    assert ids == sorted(ids)  # in the events' order, as record_match_events gives them
    for event_id in ids:
        bank.record_feedback(platform, event_id, Verdict.PENDING_REVIEW)
    queue = [
        (i.match_event_id, i.signal_id, i.distance, i.action) for i in bank.review_queue(helpline)
    ]
    assert queue == [
        (id_, e.signal_id, e.distance, e.action) for id_, e in zip(ids, events, strict=True)
    ]
    assert bank.get_case(case.case_number, case.pin).match_count == 4


def test_a_live_match_is_one_statement_on_postgresql(
    bank: Bank, platform: Partner, case: CaseReceipt
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(bank.engine, "before_cursor_execute", count)
    try:
        answers = bank.record_live_matches(platform, [NewMatchEvent(1, 2, "upload")])
    finally:
        event.remove(bank.engine, "before_cursor_execute", count)
    assert answers[0] is not None
    if bank.engine.dialect.name == "postgresql":
        assert len(statements) == 1  # read, event and audit record together: one round trip
    else:  # SQLite is in the process: BEGIN IMMEDIATE, the read, the two inserts
        assert len(statements) <= 4


def test_feedback_only_on_ones_own_match_events(
    bank: Bank, platform: Partner, case: CaseReceipt
) -> None:
    other, _ = bank.create_partner("other", "match,feedback")
    event = _match(bank, platform)
    with pytest.raises(NotFoundError):
        bank.record_feedback(other, event, Verdict.BLOCKED)


def test_flagged_matches_wait_for_a_helpline_decision(
    bank: Bank, platform: Partner, helpline: Partner, case: CaseReceipt
) -> None:
    flagged, unflagged, false_positive = (_match(bank, platform) for _ in range(3))
    bank.record_feedback(platform, flagged, Verdict.PENDING_REVIEW)
    bank.record_feedback(platform, unflagged, Verdict.BLOCKED)
    bank.record_feedback(platform, false_positive, Verdict.FALSE_POSITIVE)
    queue = bank.review_queue(helpline)
    assert [item.match_event_id for item in queue] == [flagged, false_positive]
    assert queue[0].case_number == case.case_number
    assert queue[0].verdicts == (Verdict.PENDING_REVIEW,)
    bank.decide(helpline, flagged, Decision.CONFIRMED)
    assert [item.match_event_id for item in bank.review_queue(helpline)] == [false_positive]
    with pytest.raises(ConflictError):
        bank.decide(helpline, flagged, Decision.FALSE_POSITIVE)
    with pytest.raises(ScopeError):
        bank.review_queue(platform)


def test_a_decision_can_withdraw_the_signal(
    bank: Bank, platform: Partner, helpline: Partner, case: CaseReceipt
) -> None:
    event = _match(bank, platform, signal_id=2)
    before = bank.last_seq()
    bank.decide(helpline, event, Decision.SIGNAL_WITHDRAWN)
    assert bank.signals_by_ids([2])[2].status == Status.WITHDRAWN
    assert [(c.kind, c.signal_id) for c in bank.changes_after(before)] == [("withdraw", 2)]


def test_helpline_notes(bank: Bank, helpline: Partner, case: CaseReceipt) -> None:
    bank.add_note(helpline, case.case_number, "spoke on the phone")
    notes = bank.notes(helpline, case.case_number)
    assert [(n.body, n.partner_name, n.case_number) for n in notes] == [
        ("spoke on the phone", "helpline", case.case_number)
    ]
    with pytest.raises(NotFoundError):
        bank.add_note(helpline, "2222-2222-2222", "x")


def test_the_audit_log_pages_and_never_holds_secrets(
    bank: Bank, platform: Partner, helpline: Partner
) -> None:
    hashes = random_hashes(2)
    receipt = bank.create_case(hashes, "en")
    bank.get_case(receipt.case_number, helpline=helpline)
    _match(bank, platform)
    seen: list[AuditEntry] = []
    before = None
    while True:
        page = bank.audit_log("cli", before=before, limit=2)
        seen.extend(page.entries)
        if page.next_before is None:
            break
        before = page.next_before
    ids = [entry.id for entry in seen]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids)
    actions = {entry.action for entry in seen}
    assert {"partner.create", "case.create", "case.read", "match.record"} <= actions
    text = repr(seen) + repr(bank.audit_log("cli", limit=1000))
    for secret in [receipt.pin, receipt.case_number, *(h.to_hex() for h in hashes)]:
        assert secret not in text
    with pytest.raises(ScopeError):
        bank.audit_log(platform)
