"""What history means for the next message, as pure rules: no database, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.relationship import Event, Policy, assess, referred_contact

NOW = datetime(2027, 3, 9, 16, 10, tzinfo=UTC)
NAMES = {"c1": "Priya Shah", "c2": "Tom Reid"}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_no_history_no_hold():
    s = assess([], "c1", "p@acme.example", NOW, Policy())
    assert (s.stops, s.flags, s.referred_by) == ((), (), None)


def test_not_interested_holds_for_the_policy_then_flags():
    no = [Event("not_interested", ago(45), "c1", '"no thanks"')]
    held = assess(no, "c1", "p@acme.example", NOW, Policy(not_interested_days=180))
    assert held.stops == (
        'said not interested on 2027-01-23: "no thanks"; no outreach until 2027-07-22',
    )
    short = assess(no, "c1", "p@acme.example", NOW, Policy(not_interested_days=30))
    assert short.stops == () and short.flags == ('said not interested on 2027-01-23: "no thanks"',)
    # Only Priya said no: her colleague is not held by it.
    assert assess(no, "c2", "t@acme.example", NOW, Policy()).stops == ()


def test_a_bounce_of_an_old_address_does_not_hold_the_new_one():
    bounce = [Event("hard_bounce", ago(3), "c1", "5.1.1", detail={"address": "old@acme.example"})]
    assert assess(bounce, "c1", "old@acme.example", NOW, Policy()).stops
    assert assess(bounce, "c1", "new@acme.example", NOW, Policy()).stops == ()


def test_handoff_holds_the_whole_account_until_released_or_expired():
    asked = Event("meeting_request", ago(10), "c2", '"Tuesday?"')
    held = assess([asked], "c1", "p@acme.example", NOW, Policy(), NAMES)
    assert held.stops == (
        'handed to the account\'s owner: Tom Reid asked for a meeting on 2027-02-27: "Tuesday?"',
    )
    released = [asked, Event("handoff_released", ago(1), "", "given back")]
    assert assess(released, "c1", "p@acme.example", NOW, Policy(), NAMES).stops == ()
    lapsed = assess([asked], "c1", "p@acme.example", NOW, Policy(handoff_days=7), NAMES)
    assert lapsed.stops == () and lapsed.flags[0].startswith("earlier conversation: Tom Reid")


def test_referral_stops_the_referrer_and_flags_the_colleague():
    ref = Event("referral", ago(5), "c1", '"talk to Tom"', detail={"to_contact": "c2"})
    assert referred_contact([ref]) == "c2"
    priya = assess([ref], "c1", "p@acme.example", NOW, Policy(), NAMES)
    assert priya.stops and "referred us to" in priya.stops[0]
    tom = assess([ref], "c2", "t@acme.example", NOW, Policy(), NAMES)
    assert tom.stops == () and tom.referred_by == ref
    assert tom.flags == ('referred by Priya Shah on 2027-03-04: "talk to Tom"',)


def test_a_recent_kill_sends_the_next_draft_to_review():
    kill = Event("decision", ago(3), "c1", detail={"action": "kill", "reason_label": "Bad timing"})
    s = assess([kill], "c1", "p@acme.example", NOW, Policy())
    assert s.stops == () and "killed on 2027-03-06 (Bad timing)" in s.flags[0]
    assert assess([kill], "c1", "p@acme.example", NOW + timedelta(days=40), Policy()).flags == ()


def test_unsubscribe_is_forever():
    gone = [Event("unsubscribe", ago(900), "c1", '"remove me"')]
    assert assess(gone, "c1", "p@acme.example", NOW, Policy()).stops == (
        'asked to stop on 2024-09-20: "remove me"',
    )


def test_not_now_waits_until_the_date_they_said_or_the_default():
    dated = [Event("not_now", ago(10), "c1", '"try me in April"', detail={"until": "2027-04-01"})]
    s = assess(dated, "c1", "p@acme.example", NOW, Policy())
    assert s.stops == ('said not now on 2027-02-27: "try me in April"; waiting until 2027-04-01',)
    after = assess(dated, "c1", "p@acme.example", NOW + timedelta(days=30), Policy())
    assert after.stops == () and after.flags[0].startswith("said not now on 2027-02-27")
    undated = [Event("not_now", ago(10), "c1", '"busy"')]
    assert assess(undated, "c1", "p@acme.example", NOW, Policy(not_now_days=5)).stops == ()
    assert assess(undated, "c1", "p@acme.example", NOW, Policy(not_now_days=20)).stops


def test_a_thread_an_am_took_over_keeps_the_agents_out():
    took = [
        Event("decision", ago(2), "c1", actor="user:U0AMDANA01", detail={"action": "take_over"})
    ]
    s = assess(took, "c1", "p@acme.example", NOW, Policy())
    assert s.stops == ("taken over by U0AMDANA01 on 2027-03-07: the agents stay out",)
    assert assess(took, "c1", "p@acme.example", NOW, Policy(handoff_days=1)).stops == ()
