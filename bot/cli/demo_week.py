"""The demo's week: probation earns trust from real verdicts, then the gate lets some drafts out.

Five working days on the demo's clock: news arrives (the same intake as the `/signals`
webhook), the agents tick, and a scripted AM with a plain taste decides every card: approve,
except the wrong-fit accounts (killed as wrong_account) and one draft that gets an edit.
The second check retrains on those verdicts and the trust rules judge them. The Monday after,
a supervised agent sends what clears every threshold, and the demo prints why each draft went
out unreviewed or still went to a person, from the stored draft and the gate's reasons.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO

from sqlmodel import Session

from bot.agent import loop
from bot.cli.console import ConsoleHumans
from bot.decisions import Action, Request, decide
from bot.intake import signals
from bot.mail.outbound import outbox
from bot.ports import Card, Notice
from bot.review import lifecycle as reviews
from bot.review import second_check
from bot.runtime import Runtime
from bot.settings import Settings
from storage import reviews as review_store
from storage import stats, trail
from storage.models import AuditEvent, Draft, Review

# Demo scale: a week of a two-agent demo is a few dozen drafts, not the hundreds the product's
# defaults are set for. Every other trust rule is the product's own.
SCALE: dict[str, Any] = {
    "TWOLOOP_TRUST_MIN_REVIEWS": 8,
    "TWOLOOP_TRUST_MIN_SHADOW_SENDS": 4,
    "TWOLOOP_SECOND_CHECK_MIN_DECISIONS": 10,
}
DAYS = 5
CLICK = timedelta(seconds=90)  # between two of the AM's clicks: trust counts verdicts in order
DAY_STARTS = 14  # UTC hour each demo day's tick runs: working hours in London and New York

# The week's news, by day (1-5 the week of reviews, 6 the Monday after), as a feed or the
# `/signals` webhook would bring it. On day 1 the wrong fits come first (see `WRONG_FIT`); on
# day 6, alder (an AM's note on the account), brookline (a thin match: Snowflake alone) and
# keystone (a funding round alone, a weak path to audit preparation) are the unusual ones.
NEWS_CSV = """\
day,account,kind,detail,source,summary
1,quarry,hiring,Data Engineer,jobs feed,Quarry Data Partners is hiring data engineers for client projects
1,bastion,funding,Series A,news,Bastion Security Partners raised a $12M Series A
1,lumen,hiring,Senior Data Engineer,jobs feed,Lumen Ledger is hiring two senior data engineers
1,kestrel,hiring,Analytics Engineer,jobs feed,Kestrel Commerce is hiring an analytics engineer
1,orchid,leadership_change,CISO,press release,Orchid Health appointed Diane Fox as CISO
1,pylon,leadership_change,Head of Security,news,Pylon Payments named Theo Marsh head of security
2,nimbus,hiring,Data Engineer,jobs feed,Nimbus Travel is hiring a data engineer for its booking data
2,dunmore,hiring,Analytics Engineer,jobs feed,Dunmore Analytics is hiring a senior analytics engineer
2,elmstead,hiring,Data Engineer,jobs feed,Elmstead Pay is hiring two data engineers
2,glenmore,hiring,Data Engineer,jobs feed,Glenmore Outdoor is hiring a data engineer
2,kinross,hiring,Data Engineer,jobs feed,Kinross Data Cloud is hiring two data engineers
2,rowan,leadership_change,CISO,press release,Rowan Pediatrics appointed Rachel Green as CISO
2,summit,leadership_change,Head of Security,news,Summit Remit named Kwame Mensah head of security
2,meridian,leadership_change,CISO,press release,Meridian Clinics appointed Alicia Stone as CISO
2,ledgerly,leadership_change,VP Security,news,Ledgerly named Victor Huang VP Security
3,orbit,hiring,Data Platform Engineer,jobs feed,Orbit Mobility is hiring a data platform engineer
3,pinewood,hiring,Data Engineer,jobs feed,Pinewood Software is hiring its first data engineer
3,quillpoint,hiring,Data Engineer,jobs feed,Quillpoint Credit is hiring three data engineers
3,hawthorn,hiring,Data Platform Engineer,jobs feed,Hawthorn Software is hiring a data platform engineer
3,lattice,hiring,Senior Data Engineer,jobs feed,Lattice Lending is hiring a senior data engineer
3,thistle,leadership_change,CISO,press release,Thistle Dental Group appointed Helen Ford as CISO
3,driftwood,leadership_change,VP Security,news,Driftwood Software named Nick Olsen VP Security
3,solace,leadership_change,Head of Security,press release,Solace Telehealth appointed Naomi Clarke as head of security
3,tidewater,leadership_change,VP Security,news,Tidewater Software named Ian Mercer VP Security
4,rivet,hiring,Senior Data Engineer,jobs feed,Rivet Retail is hiring a senior data engineer
4,saffron,hiring,Analytics Engineer,jobs feed,Saffron Foods Online is hiring an analytics engineer
4,tandem,hiring,Data Engineer,jobs feed,Tandem Labs is hiring a data engineer
4,ironbark,hiring,Analytics Engineer,jobs feed,Ironbark Finance is hiring an analytics engineer
4,marlow,hiring,Analytics Engineer,jobs feed,Marlow Home is hiring an analytics engineer
4,everly,leadership_change,Head of Security,press release,Everly Labs appointed Priya Nair as head of security
4,foxglove,leadership_change,CISO,news,Foxglove Insurance Tech appointed Daniel Kim as CISO
4,verdant,leadership_change,CISO,press release,Verdant Care appointed Joy Okafor as CISO
4,wren,leadership_change,Head of Security,news,Wren Capital named Adam Pike head of security
5,upland,hiring,Analytics Engineer,jobs feed,Upland Analytics is hiring an analytics engineer
5,vesta,hiring,Data Engineer,jobs feed,Vesta Lending is hiring two data engineers
5,willow,hiring,Data Platform Engineer,jobs feed,Willow Market is hiring a data platform engineer
5,juno,hiring,Senior Data Engineer,jobs feed,Juno Marketplace is hiring a senior data engineer
5,nettle,hiring,Data Engineer,jobs feed,Nettle Software is hiring a data engineer
5,granby,leadership_change,CISO,press release,Granby Health Partners appointed Sophie Turner as CISO
5,helix,leadership_change,CISO,press release,Helix Diagnostics appointed Sara Lindqvist as CISO
5,irisgate,leadership_change,VP Security,news,Irisgate Software named Raj Patel VP Security
5,juniper,leadership_change,CISO,press release,Juniper Claims appointed Laura Bianchi as CISO
6,zephyr,hiring,Senior Data Engineer,jobs feed,Zephyr Games is hiring a senior data engineer
6,yarrow,hiring,Data Engineer,jobs feed,Yarrow Payroll is hiring a data engineer
6,copperleaf,hiring,Analytics Engineer,jobs feed,Copperleaf Bank is hiring two analytics engineers
6,alder,hiring,Data Engineer,jobs feed,Alder Systems is hiring a data engineer
6,brookline,tech_adoption,Snowflake,engineering blog,Brookline Books moved its reporting to Snowflake
6,larkspur,leadership_change,CISO,press release,Larkspur Health appointed Yuki Tanaka as CISO
6,keystone,funding,Series B,news,Keystone Pharmacy raised a $20M Series B
6,mosaic,leadership_change,Head of Security,news,Mosaic Pay named Zoe Adams head of security
6,novella,leadership_change,CISO,news,Novella Health appointed Peter Quinn as CISO
"""


def news(day: int) -> list[dict[str, str]]:
    return [row for row in csv.DictReader(io.StringIO(NEWS_CSV)) if row["day"] == str(day)]


# The scripted AM's taste, visible on purpose: these are wrong fits (a data consultancy and a
# security consultancy sell what we sell), and these get an edit before they go.
WRONG_FIT = {
    "quarry": "a consultancy that builds pipelines for its clients: a competitor, not a buyer",
    "bastion": "a security consultancy: they sell audits, they will not buy ours",
}
EDITED = {"juniper"}
PS = "\n\nPS: happy to send a two-page case study first if a call is too much.\n"


class Clock:
    """The demo's injected clock: set by the day, moved on by each click."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class QuietConsole(ConsoleHumans):
    """A week of cards and notices is too much to print: they are kept here instead."""

    notices: list[tuple[str, Notice]]

    def __init__(self, out: TextIO | None = None):
        super().__init__(out)
        self.notices = []

    def post_review(self, card: Card) -> str:
        self.posted.append(card)
        return f"console-{card.review_id}"

    def update_review(self, card: Card) -> None:
        pass

    def notify(self, channel: str, notice: Notice) -> None:
        self.notices.append((channel, notice))  # promotions are printed from the audit trail


@dataclass
class Day:
    drafted: Counter
    would_send: Counter
    verdicts: Counter  # (agent, action)


def scale_line(settings: Settings) -> str:
    """What the demo scales down, next to the product's defaults (from Settings itself)."""
    names = (
        "trust_min_reviews",
        "trust_min_days",
        "trust_min_shadow_sends",
        "second_check_min_decisions",
    )
    defaults = ", ".join(
        f"{Settings.model_fields[n].alias}={Settings.model_fields[n].default}" for n in names
    )
    st = settings
    return (
        f"demo scale: promotion after {st.trust_min_reviews} reviewed drafts on "
        f"{st.trust_min_days} working days, {st.trust_min_shadow_sends} of them drafts the gate "
        f"would have sent on its own and none of those killed; the second check trains from "
        f"{st.second_check_min_decisions} decisions (the product's defaults: {defaults})"
    )


def week(rt: Runtime, say: Callable[[str], None]) -> datetime:
    """Five working days of news, ticks and verdicts. Returns the week's Monday."""
    say("   " + scale_line(rt.settings))
    monday = next_monday(rt.now())
    humans, rt.humans = rt.humans, QuietConsole(getattr(rt.humans, "out", None))
    try:
        for n in range(1, DAYS + 1):
            start = monday + timedelta(days=n - 1)
            day = one_day(rt, start, news(n))
            say(f"   {start:%a %Y-%m-%d}")
            for agent_id in sorted(rt.fleet().agents):
                say("     " + day_line(agent_id, day))
            check = second_check.train(rt)
            say(
                "     second check: "
                + (
                    f"retrained on {check.decisions} decisions"
                    if check is not None
                    else f"not yet (needs {rt.settings.second_check_min_decisions} decisions)"
                )
            )
            for line in promotions(rt, start):
                say("     " + line)
    finally:
        rt.humans = humans
    return monday


def next_monday(now: datetime) -> datetime:
    ahead = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=ahead)).replace(hour=DAY_STARTS, minute=0, second=0, microsecond=0)


def one_day(rt: Runtime, start: datetime, items: list[dict[str, str]]) -> Day:
    """News in the morning, a tick, and the AM's clicks through the day's cards."""
    clock = Clock(start)
    rt.clock = clock
    arrive(rt, items, start - timedelta(hours=3))
    reports = loop.tick(rt)
    reviews.post_pending(rt)
    with rt.db.session() as s:
        fresh = [d for d, _ in trail.drafts(s, limit=500) if d.created_at >= start]
    day = Day(
        drafted=Counter({r.agent_id: r.drafted for r in reports}),
        would_send=Counter(d.agent_id for d in fresh if d.shadow == "send"),
        verdicts=Counter(),
    )
    with rt.db.session() as s:
        cards = [r for r in review_store.open_reviews(s, limit=1000) if r.kind == "draft"]
        accounts = {r.id: _account(s, r) for r in cards}
    cards.sort(key=lambda r: (accounts[r.id] not in WRONG_FIT, r.id or 0))
    for review in cards:
        clock.at += CLICK
        action, extra = taste(accounts[review.id])
        result = decide(rt, request(rt, review, action, extra))
        if result.status == "decided":
            day.verdicts[(review.agent_id, action.value)] += 1
    outbox.flush(rt)
    return day


def _account(s: Session, review: Review) -> str:
    draft = s.get(Draft, review.subject_id)
    return draft.account_id if draft is not None else ""


def arrive(rt: Runtime, items: list[dict[str, str]], at: datetime) -> None:
    """The day's news, through the same intake as the `/signals` webhook."""
    signals.ingest(
        rt,
        [
            {
                "account_id": n["account"],
                "kind": n["kind"],
                "summary": n["summary"],
                "detail": n["detail"],
                "source": n["source"],
                "observed_at": at.isoformat(),
                "dedupe_key": f"demo-week-{n['account']}-{n['kind']}-{at:%Y%m%d}",
            }
            for n in items
        ],
    )


def taste(account_id: str) -> tuple[Action, dict]:
    if account_id in WRONG_FIT:
        return Action.KILL, {"reason_code": "wrong_account", "reason_text": WRONG_FIT[account_id]}
    if account_id in EDITED:
        return Action.EDIT, {}
    return Action.APPROVE, {}


def request(rt: Runtime, review: Review, action: Action, extra: dict) -> Request:
    assert review.id is not None  # a row read from the database has its id
    kw = dict(extra)
    if action in (Action.APPROVE, Action.EDIT):
        kw["content_hash"] = review.content_hash
    if action == Action.EDIT:
        with rt.db.session() as s:
            draft = s.get(Draft, review.subject_id)
        if draft is None:
            raise LookupError(f"review #{review.id}: its draft #{review.subject_id} is gone")
        kw["subject"], kw["body"] = draft.subject, draft.body.rstrip() + PS
    return Request(review.id, review.owner, action, **kw)


def day_line(agent_id: str, day: Day) -> str:
    verdicts = {a: n for (agent, a), n in day.verdicts.items() if agent == agent_id}
    reviewed = sum(verdicts.values())
    kinds = ", ".join(f"{a} {n}" for a, n in sorted(verdicts.items()))
    return (
        f"{agent_id}: drafted {day.drafted[agent_id]}, reviewed {reviewed}"
        + (f" ({kinds})" if kinds else "")
        + f", would-send {day.would_send[agent_id]}, killed {verdicts.get('kill', 0)}"
    )


def promotions(rt: Runtime, since: datetime) -> list[str]:
    """Each promotion since `since`, with the evidence it rested on."""
    out = []
    for event in trail.events(rt.db.session, since=since, action="trust.promoted"):
        out.extend(promotion_lines(event))
    return out


def promotion_lines(event: AuditEvent) -> list[str]:
    d = event.detail
    reviews_, sends, kills = d.get("reviews", 0), d.get("shadow_sends", 0), d.get("shadow_kills", 0)
    share = sends / reviews_ if reviews_ else 0.0
    agent = event.subject.removeprefix("agent:")
    return [
        f"↑ {agent} promoted to supervised: {d.get('reason', '')}",
        f"  if promoted today: would auto-send {share:.0%} of drafts; "
        f"of those, {kills} of {sends} were killed",
    ]


def next_week(rt: Runtime, monday: datetime, say: Callable[[str], None]) -> None:
    """The Monday after: news, one tick, and why each draft went where it went."""
    start = monday + timedelta(days=7)
    rt.clock = Clock(start)
    say(f"   {start:%a %Y-%m-%d}")
    arrive(rt, news(DAYS + 1), start - timedelta(hours=3))
    for report in loop.tick(rt):
        say("   " + report.line())
    with rt.db.session() as s:
        fresh = [(d, e) for d, e in trail.drafts(s, limit=500) if d.created_at >= start]
        states = stats.agent_states(s)
    for draft, email in sorted(fresh, key=lambda x: (x[0].agent_id, x[0].id or 0)):
        state = states.get(draft.agent_id)
        say(f"   {draft.agent_id} -> {email}")
        say("     " + why(draft, state.trust_changed_at if state else None))
    sent = outbox.flush(rt)
    say(f"   outbox: sent {sent['sent']}")


def why(draft: Draft, supervised_since: datetime | None) -> str:
    """Why a draft went out unreviewed, or what sent it to a person: the stored numbers and
    the gate's own reasons, never a summary of them."""
    if draft.gate_outcome == "send":
        x = draft.explain
        since = f"{supervised_since:%Y-%m-%d}" if supervised_since else "?"
        check = draft.second_check if draft.second_check is not None else 0.0
        return (
            f"sent without review: supervised since {since}; "
            f"personalization {draft.personalization:.2f} <= "
            f"{x.get('personalization_threshold', 0):.2f}; "
            f"confidence {draft.confidence:.2f} >= {x.get('confidence_threshold', 0):.2f}; "
            f"second check {check:.2f} >= {x.get('second_check_threshold', 0):.2f} "
            f"{x.get('second_check_basis', '')}"
        )
    label = {"review": "to a person", "stop": "stopped"}.get(draft.gate_outcome, draft.gate_outcome)
    return f"{label}: " + "; ".join(r["text"] for r in draft.gate_reasons)
