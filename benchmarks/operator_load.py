"""A month of one operator's fleet: does the review queue shrink, and is what goes out unreviewed
what the account managers would have sent?

    .venv/bin/python benchmarks/operator_load.py                  # 40 agents, 8 AMs, 4 weeks
    .venv/bin/python benchmarks/operator_load.py --no-learning    # matcher's learning wiped
    .venv/bin/python benchmarks/operator_load.py --proposals weekly  # file changes Mondays only
    .venv/bin/python benchmarks/operator_load.py --database-url postgresql://postgres@127.0.0.1/test

The product runs as it does in production, on an injected clock: every working day new
signals arrive through the signal intake, `twoloop tick` runs for the 40 agents (matching,
drafting, the gate with its second check), the outbox sends what the gate let through, and
each of the 8 simulated AMs works through their review cards with `bot.decisions.decide`
(the same entry point as a Slack click), pressing buttons at simulated times. Trust,
promotion, learning and the second check's retraining are the product's own.

Each AM has a taste the product never sees, only their clicks: an industry they consider
the wrong accounts, a match path they think is a poor fit, how old a signal may be before
the timing is off, a kind of contact whose drafts they always rewrite, a floor under how
generic a draft may be, and a little noise (a random kill or edit). Auto-sent drafts are
judged by the same hidden taste: "would have been killed" is what the AM would have done
had the card reached them.

Reported per week: reviews per day, review minutes per day as the product measures them
from the clicks (and the simulated truth beside it), the share of drafts sent without
review, and the share of those the AM would have killed. Targets (issue 16) by week four:
at most 20 review minutes a day, at most 1% of auto-sent drafts would-be-killed, and the
queue shrinking week over week.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import delete, select  # noqa: E402

from bot.agent import loop, proposals  # noqa: E402
from bot.cli.scaffold import init  # noqa: E402
from bot.config.agents import load_fleet  # noqa: E402
from bot.decisions import Action, Request, decide  # noqa: E402
from bot.intake.importer import ingest_signals, load  # noqa: E402
from bot.mail.outbound import outbox  # noqa: E402
from bot.reports import load as queue_load  # noqa: E402
from bot.review import clicks, trust  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.models import (  # noqa: E402
    Account,
    AgentState,
    Contact,
    Draft,
    LearnedWeight,
    PlayVersion,
    Review,
    Signal,
)

INDUSTRIES = ["software", "fintech", "e-commerce", "healthcare", "logistics"]
COUNTRIES = ["US", "GB", "DE", "NL"]
KINDS = ["hiring", "funding", "tech_adoption", "leadership_change"]
ROLES = ["Senior Data Engineer", "Analytics Engineer", "Data Platform Lead", "CISO"]
ROLES += ["Head of Security", "VP Security"]
TECH = ["Airflow", "Snowflake"]
TITLES = ["Head of Data", "VP Data", "Director of Data", "CTO", "CISO", "Head of Security"]
FIRST = ["Priya", "Tom", "Ana", "Wei", "Sam", "Lena", "Omar", "Jo", "Mia", "Raj", "Eva", "Ken"]
LAST = ["Shah", "Berg", "Costa", "Li", "Park", "Novak", "Haddad", "Kim", "Roth", "Ito"]
# Path steps an AM may think a poor fit (the account's own first step on the match path).
POOR_FITS = [
    "uses>tech:snowflake",
    "signalled>event:funding",
    "uses>tech:airflow",
    "signalled>event:tech_adoption",
]
OPERATOR = "U0OPERATOR1"
EDIT_TITLES = ["cto", "director", "vp"]
SECONDS = {"approve": (20, 8), "edit": (80, 25), "kill": (35, 10)}  # mean, sd of a decision


@dataclass
class Taste:
    """One AM's hidden preferences: the product sees only the clicks they produce."""

    am: str
    wrong_industry: str
    poor_fit: str
    patience_days: int
    rewrites_title: str
    min_personal: float
    noise_kill: float = 0.003
    noise_edit: float = 0.02

    def verdict(self, d: Draft, account: Account, contact: Contact, age_days: float, rnd):
        """(action, kill reason) this AM gives the draft."""
        first = _first_step(d.match)
        if account.industry == self.wrong_industry or first == self.poor_fit:
            return "kill", "wrong_account"
        if age_days > self.patience_days:
            return "kill", "bad_timing"
        if rnd.random() < self.noise_kill:
            return "kill", rnd.choice(["off_brand", "other"])
        # A word of the title: an AM who rewrites drafts to CTOs leaves a director's alone.
        words = re.findall(r"[a-z]+", contact.title.lower())
        if self.rewrites_title in words or d.personalization < self.min_personal:
            return "edit", ""
        if rnd.random() < self.noise_edit:
            return "edit", ""
        return "approve", ""


def _first_step(match: dict) -> str:
    paths = (match or {}).get("paths") or []
    if not paths:
        return ""
    st = paths[0]["steps"][0]
    return f"{st['rel']}>{st['dst']}"


@dataclass
class Day:
    date: str
    week: int
    drafted: int = 0
    reviews: int = 0
    auto: int = 0
    auto_killed: int = 0
    stopped: int = 0
    minutes: float = 0.0  # as the product measures it from the clicks
    true_minutes: float = 0.0  # what the simulated AMs spent
    supervised: int = 0
    proposals: int = 0  # proposed changes to agent files the operator applied this day
    verdicts: dict = field(default_factory=dict)
    # Why the reviewed drafts were not sent on their own (gate reason codes; a draft can
    # have several), and what the AM did with each: where the operator's minutes go.
    why: Counter = field(default_factory=Counter)
    killed_why: dict = field(default_factory=dict)  # auto-sent the AM would have killed, by reason


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def build_home(root: Path, agents: int, ams: int, accounts: int, rnd: random.Random) -> Path:
    home = root / "home"
    init(home, force=True)
    am_ids = [f"U0AM{n:04d}X" for n in range(ams)]
    (home / "ams.yml").write_text(
        "account_managers:\n"
        + "".join(
            f"  {am}: {{channel: C0REV{n:04d}, name: AM {n}, email: am{n}@northwind.example}}\n"
            for n, am in enumerate(am_ids)
        )
    )
    (home / "mailboxes.yml").write_text(
        "mailboxes:\n"
        + "".join(
            f"  - address: am{n}@northwind.example\n"
            f"    name: AM {n}\n"
            "    signature: 'Northwind | northwind.example'\n"
            "    postal_address: 'Northwind Inc., 500 Market Street, San Francisco, CA 94105'\n"
            "    timezone: UTC\n"
            "    daily_cap: 1000\n"
            "    warmup: {start: 1000, step: 0}\n"
            "    window: {start: '00:00', end: '23:59', days: '1-7'}\n"
            "    min_gap_seconds: 0\n"
            "    jitter_seconds: 0\n"
            for n in range(ams)
        )
    )
    data = home / "agents"
    templates = [
        (data / "data-platform.md").read_text(),
        (data / "security-expansion.md").read_text(),
    ]
    for path in data.glob("*.md"):
        path.unlink()
    for i in range(agents):
        n = i % ams
        text = templates[i % 2]
        text = text.replace("U0AMDANA01", am_ids[n]).replace("U0AMLEO002", am_ids[n])
        text = text.replace("C0REVIEWS01", f"C0REV{n:04d}").replace("C0REVIEWS02", f"C0REV{n:04d}")
        text = text.replace("dana@northwind.example", f"am{n}@northwind.example")
        text = text.replace("leo@northwind.example", f"am{n}@northwind.example")
        segment = rnd.sample(INDUSTRIES, 3)
        text = text.replace("[software, fintech, e-commerce]", f"[{', '.join(segment)}]")
        text = text.replace("[software, fintech, healthcare]", f"[{', '.join(segment)}]")
        text = text.replace("daily_cap: 25", "daily_cap: 5").replace(
            "daily_cap: 15", "daily_cap: 5"
        )
        text = text.replace("min_employees: 100", "min_employees: 50")
        (data / f"agent-{i:02d}.md").write_text(text)
    write_accounts(home, accounts, rnd)
    return home


def write_accounts(home: Path, accounts: int, rnd: random.Random) -> None:
    data = home / "data"
    (data / "signals.csv").unlink(missing_ok=True)
    (data / "signals.csv.tmpl").unlink(missing_ok=True)
    lines = ["id,name,domain,industry,employees,country,tech"]
    people = ["id,account_id,first_name,last_name,email,title"]
    for n in range(accounts):
        tech = ";".join(rnd.sample(TECH, rnd.randint(0, 1)))
        lines.append(
            f"a{n},Company {n},company{n}.example,{rnd.choice(INDUSTRIES)},"
            f"{rnd.randint(60, 4000)},{rnd.choice(COUNTRIES)},{tech}"
        )
        for c, title in enumerate(rnd.sample(TITLES, 3)):
            people.append(
                f"a{n}-c{c},a{n},{rnd.choice(FIRST)},{rnd.choice(LAST)},"
                f"p{c}@company{n}.example,{title}"
            )
    (data / "accounts.csv").write_text("\n".join(lines) + "\n")
    (data / "contacts.csv").write_text("\n".join(people) + "\n")


def new_signals(accounts: int, count: int, now: datetime, rnd: random.Random, day: int) -> list:
    out = []
    for k in range(count):
        n = rnd.randrange(accounts)
        kind = rnd.choice(KINDS)
        if kind in ("hiring", "leadership_change"):
            detail = rnd.choice(ROLES)
            what = f"is hiring a {detail}" if kind == "hiring" else f"appointed a new {detail}"
        elif kind == "tech_adoption":
            detail = rnd.choice(TECH)
            what = f"rolled out {detail} across {rnd.choice(['analytics', 'its data team'])}"
        else:
            detail = rnd.choice(["Series A", "Series B", "Series C"])
            what = f"raised a ${rnd.randint(8, 90)}M {detail}"
        # Feeds report some news late: most signals are days old, a few weeks.
        age = rnd.choice([0, 1, 2, 3, 5, 8, 13]) if rnd.random() < 0.8 else rnd.randint(20, 55)
        out.append(
            {
                "account_id": f"a{n}",
                "kind": kind,
                "summary": f"Company {n} {what}",
                "detail": detail,
                "source": "simulated feed",
                "observed_at": (now - timedelta(days=age, hours=rnd.randint(0, 20))).isoformat(),
                "dedupe_key": f"d{day}-{k}",
            }
        )
    return out


def tastes(ams: list[str], rnd: random.Random) -> dict[str, Taste]:
    return {
        am: Taste(
            am=am,
            wrong_industry=rnd.choice(INDUSTRIES),
            poor_fit=rnd.choice(POOR_FITS),
            patience_days=rnd.randint(25, 40),
            rewrites_title=rnd.choice(EDIT_TITLES),
            min_personal=round(rnd.uniform(0.2, 0.35), 2),
        )
        for am in ams
    }


def approve_plays(rt: Runtime) -> None:
    fleet = rt.fleet()
    with rt.db.session() as s:
        for play_id, digest in {
            p: h for a in fleet.agents.values() for p, h in a.play_hashes.items()
        }.items():
            s.add(
                PlayVersion(
                    play_id=play_id, content_hash=digest, status="approved", decided_by="benchmark"
                )
            )


def simulate(args: argparse.Namespace) -> list[Day]:
    rnd = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="twoloop-operator-load-"))
    home = build_home(root, args.agents, args.ams, args.accounts, rnd)
    start = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # a Monday
    clock = {"now": start}
    settings = Settings(
        TWOLOOP_HOME=home,
        DATABASE_URL=args.database_url,
        TWOLOOP_OPERATORS=OPERATOR,
        SMTP_URL=None,
        TWOLOOP_TRUST_CRITICAL_RESTARTS=args.critical_restarts,
        _env_file=None,
    )
    rt = Runtime(settings, clock=lambda: clock["now"], rng=random.Random(args.seed + 1))
    rt.db.upgrade()
    load(rt.db, sorted(settings.data_dir.iterdir()))
    approve_plays(rt)
    fleet = load_fleet(settings.agents_dir, settings.plays_dir)
    ams = sorted({a.spec.owner for a in fleet.agents.values()})
    taste = tastes(ams, rnd)
    history = new_signals(args.accounts, args.accounts // 2, start, rnd, -1)
    ingest_signals(rt.db, history, "simulated feed")
    days: list[Day] = []
    day_no = 0
    while len(days) < args.weeks * 5:
        today = start + timedelta(days=day_no)
        day_no += 1
        if today.weekday() >= 5:
            continue
        clock["now"] = today
        day = Day(today.date().isoformat(), len(days) // 5 + 1)
        ingest_signals(rt.db, new_signals(args.accounts, args.signals, today, rnd, day_no), "feed")
        if args.no_learning:
            with rt.db.session() as s:
                s.exec(delete(LearnedWeight))  # type: ignore[call-overload]
        if days and (args.proposals == "daily" or today.weekday() == 0):
            day.proposals, spent = apply_proposals(rt, clock, today, rnd)
            day.true_minutes += spent / 60
        with rt.db.session() as s:
            first_new = s.exec(select(Draft.id).order_by(Draft.id.desc())).first() or 0  # type: ignore[union-attr]
        loop.tick(rt)
        with rt.db.session() as s:
            drafts = list(s.exec(select(Draft).where(Draft.id > first_new)))
            judge = {d.id: lookups(s, d) for d in drafts}
        for d in drafts:
            day.drafted += 1
            if d.gate_outcome == "stop":
                day.stopped += 1
            elif d.gate_outcome == "send":
                day.auto += 1
                account, contact, age = judge[d.id]
                action, reason = taste[owner_of(fleet, d)].verdict(d, account, contact, age, rnd)
                if action == "kill":
                    day.auto_killed += 1
                    day.killed_why[reason] = day.killed_why.get(reason, 0) + 1
        work_queue(rt, clock, today, taste, fleet, day, rnd)
        clock["now"] = today + timedelta(hours=11)
        outbox.flush(rt, limit=5000)
        with rt.db.session() as s:
            day.minutes = queue_load.fleet_minutes(s, today.date(), "UTC")
            day.supervised = len(
                s.exec(select(AgentState.agent_id).where(AgentState.trust == "supervised")).all()
            )
        days.append(day)
        print(
            f"  {day.date} w{day.week}: drafted {day.drafted}, reviews {day.reviews}, "
            f"auto {day.auto} (would-kill {day.auto_killed}), minutes {day.minutes:.1f} "
            f"(true {day.true_minutes:.1f}), supervised {day.supervised}"
            + (f", applied {day.proposals} proposals" if day.proposals else "")
            + (f"; would-kill reasons {day.killed_why}" if day.killed_why else ""),
            flush=True,
        )
    print("\nagents still on probation, and what promotion still needs:")
    with rt.db.session() as s:
        for state in s.exec(select(AgentState).where(AgentState.trust == "probation")).all():
            ev = trust.evidence(rt, s, state)
            needs = "; ".join(ev.missing) or ev.blocked or "nothing (promoted at its next verdict)"
            print(f"  {state.agent_id}: {needs}" + (f" ({ev.restart})" if ev.restart else ""))
    return days


def owner_of(fleet, d: Draft) -> str:
    return fleet.agents[d.agent_id].spec.owner


def lookups(s, d: Draft) -> tuple[Account, Contact, float]:
    account = s.get(Account, d.account_id)
    contact = s.get(Contact, d.contact_id)
    newest = max(
        (x.observed_at for x in s.exec(select(Signal).where(Signal.id.in_(d.signal_ids)))),  # type: ignore[union-attr]
        default=d.created_at,
    )
    return account, contact, (d.created_at - newest).total_seconds() / 86400


def work_queue(rt, clock, today, taste, fleet, day: Day, rnd) -> None:
    """Each AM opens Slack at 10:00 and works through their open draft cards."""
    with rt.db.session() as s:
        open_reviews = list(
            s.exec(select(Review).where(Review.status == "open", Review.kind == "draft"))
        )
        items = []
        for r in open_reviews:
            d = s.get(Draft, r.subject_id)
            items.append((r, d, *lookups(s, d)))
    by_am: dict[str, list] = {}
    for item in items:
        by_am.setdefault(item[0].owner, []).append(item)
    for am, queue in sorted(by_am.items()):
        t = today + timedelta(hours=3, minutes=rnd.randint(0, 30))
        for review, d, account, contact, age in sorted(queue, key=lambda x: x[0].id):
            action, reason = taste.get(am, taste[owner_of(fleet, d)]).verdict(
                d, account, contact, age, rnd
            )
            mean, sd = SECONDS[action]
            spent = max(5.0, rnd.gauss(mean, sd))
            if action in ("edit", "kill"):
                clock["now"] = t + timedelta(seconds=3)
                clicks.record(rt, review.id, am, f"{action}_open")
            t += timedelta(seconds=spent)
            clock["now"] = t
            req = Request(
                review.id,
                am,
                Action(action),
                subject=d.subject,
                body=d.body + ("\nP.S. happy to send details first.\n" if action == "edit" else ""),
                reason_code=reason,
            )
            result = decide(rt, req)
            if result.status != "decided":
                continue
            day.reviews += 1
            day.true_minutes += spent / 60
            day.verdicts[action] = day.verdicts.get(action, 0) + 1
            codes = {r.get("code", "?") for r in d.gate_reasons or []} or {"?"}
            day.why.update(f"{code}: {action}" for code in codes)


def apply_proposals(rt, clock, today, rnd) -> tuple[int, float]:
    """A morning (Mondays, or every day with --proposals daily): the operator reads the
    proposed changes to agent files (mined from the AMs' edits and kills) and applies them,
    one click each."""
    clock["now"] = today + timedelta(hours=1)
    proposals.run(rt)
    with rt.db.session() as s:
        cards = list(
            s.exec(select(Review).where(Review.status == "open", Review.kind == "proposal"))
        )
    applied, spent = 0, 0.0
    t = today + timedelta(hours=1, minutes=5)
    for review in sorted(cards, key=lambda r: r.id):
        seconds = max(20.0, rnd.gauss(60, 15))
        spent += seconds
        t += timedelta(seconds=seconds)
        clock["now"] = t
        result = decide(
            rt, Request(review.id, OPERATOR, Action.APPLY, content_hash=review.content_hash)
        )
        applied += result.status == "decided"
    return applied, spent


def weekly(days: list[Day]) -> list[dict]:
    out = []
    for week in sorted({d.week for d in days}):
        ds = [d for d in days if d.week == week]
        auto = sum(d.auto for d in ds)
        out.append(
            {
                "week": week,
                "reviews": statistics.mean(d.reviews for d in ds),
                "minutes": statistics.mean(d.minutes for d in ds),
                "true": statistics.mean(d.true_minutes for d in ds),
                "auto_share": auto / max(1, sum(d.auto + d.reviews for d in ds)),
                "auto_killed": sum(d.auto_killed for d in ds),
                "auto": auto,
                "supervised": ds[-1].supervised,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--agents", type=int, default=40)
    ap.add_argument("--ams", type=int, default=8)
    ap.add_argument("--accounts", type=int, default=6000)
    ap.add_argument("--signals", type=int, default=400, help="new signals per working day")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database-url", default=None)
    ap.add_argument(
        "--critical-restarts",
        choices=["any", "would_send"],
        default="any",
        help="TWOLOOP_TRUST_CRITICAL_RESTARTS: which critical kills restart the clean week",
    )
    ap.add_argument(
        "--proposals",
        choices=["weekly", "daily"],
        default="daily",
        help="when the operator reads and applies proposed changes to agent files: Monday "
        "mornings, or every morning (the product proposes every morning at 06:00)",
    )
    ap.add_argument(
        "--no-learning",
        action="store_true",
        help="wipe the matcher's learned weights before every tick (the second check "
        "retrains from the stored verdicts at the tick, as it does in production)",
    )
    args = ap.parse_args()
    began = time.perf_counter()
    days = simulate(args)
    print(f"\nmachine: {machine()}; {time.perf_counter() - began:.0f} s")
    print(
        "| week | reviews/day | queue min/day (measured) | (simulated truth) | auto-sent | auto-sent the AM would have killed | supervised agents |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for w in weekly(days):
        killed = w["auto_killed"] / w["auto"] if w["auto"] else 0.0
        print(
            f"| {w['week']} | {w['reviews']:.0f} | {w['minutes']:.1f} | {w['true']:.1f} | "
            f"{w['auto_share']:.0%} | {killed:.1%} ({w['auto_killed']} of {w['auto']}) | "
            f"{w['supervised']} |"
        )
    # Every week's, not only the last: a queue that grows again says why in the week it grew.
    for week in sorted({d.week for d in days}):
        ds = [d for d in days if d.week == week]
        why = sum((d.why for d in ds), Counter())
        verdicts = sum((Counter(d.verdicts) for d in ds), Counter())
        print(f"\nweek {week}, {len(ds)} days: verdicts {dict(verdicts.most_common())}")
        print("why reviewed (gate reason: verdict; a draft can have several reasons):")
        for what, n in why.most_common(12):
            print(f"  {n:5d}  {what}")


if __name__ == "__main__":
    main()
