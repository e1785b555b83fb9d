"""The relationship's owner decides: a draft or a reply about an account is its owner AM's to
decide, in their channel (ams.yml); the agent's owner only sees it. A departed or unknown
owner falls back to the agent's owner, and the operators are told once per AM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.agent import loop
from bot.cli.scaffold import init
from bot.config.account_managers import load_managers
from bot.config.frontmatter import FileError
from bot.decisions import Action, Request, decide
from bot.mail.inbound import replies
from bot.memory import owners
from bot.reports.home import home_for
from bot.review import lifecycle as reviews
from handlers.views.answers import refusal_text
from storage.models import Account, AccountManager, Draft, Review
from tests.conftest import OPERATOR, approve_plays, sent_first
from tests.mail.test_replies import reply_to

DANA, LEO = "U0AMDANA01", "U0AMLEO002"  # the starter AMs; Dana owns the data-platform agent
DANA_CHANNEL, LEO_CHANNEL = "C0REVIEWS01", "C0REVIEWS02"
LEOS = {"bluefin", "cobalt", "fjord", "granite"}  # the sample accounts Leo owns
OPS = "C0OPS"


def in_chat(rt, **status) -> None:
    """What the chat's directory says: DANA="active", LEO="deactivated", ..."""
    names = {"DANA": DANA, "LEO": LEO}
    rt.humans.users = {names.get(k, k): v for k, v in status.items()}


def draft_reviews(rt, agent_id: str | None = None) -> list[tuple[Review, str]]:
    """Open draft reviews with the account each is about, oldest first."""
    with rt.db.session() as s:
        q = select(Review, Draft.account_id).join(Draft, col(Draft.id) == Review.subject_id)
        q = q.where(Review.kind == "draft", Review.status == "open")
        if agent_id:
            q = q.where(Review.agent_id == agent_id)
        return [(r, a) for r, a in s.exec(q.order_by(col(Review.id)))]


def ticked(rt) -> list[tuple[Review, str]]:
    approve_plays(rt)
    loop.tick(rt)
    reviews.post_pending(rt)
    return draft_reviews(rt)


def set_owner(rt, account_id: str, owner: str) -> None:
    with rt.db.session() as s:
        account = s.get_one(Account, account_id)
        account.owner_am = owner
        s.add(account)


def operator_notes(rt) -> list[str]:
    return [text for channel, text in rt.humans.notes if channel == OPS]


def later(rt, **delta) -> None:
    moved = rt.now() + timedelta(**delta)
    rt.clock = lambda: moved


def test_the_account_owner_decides_in_their_channel(rt):
    in_chat(rt, DANA="active", LEO="active")
    got = ticked(rt)
    leos = [(r, a) for r, a in got if r.agent_id == "data-platform" and a in LEOS]
    assert leos, "Dana's agent drafted for an account Leo owns"
    for review, account in got:
        owner = LEO if account in LEOS else DANA
        assert (review.owner, review.channel) == (
            owner,
            LEO_CHANNEL if owner == LEO else DANA_CHANNEL,
        )
    # The cards went where their reviews say, naming their owner.
    cards = {c.review_id: c for c in rt.humans.posted}
    for review, _ in leos:
        assert (cards[review.id].owner, cards[review.id].channel) == (LEO, LEO_CHANNEL)
    # The chat was asked once about each AM, however many reviews they got.
    assert sorted(rt.humans.lookups) == [("status", DANA), ("status", LEO)]
    # The reminder goes to whoever decides.
    later(rt, hours=rt.settings.review_window_hours * 0.85)
    reviews.sweep(rt)
    reminded = {c.review_id: c for c in rt.humans.reminded}
    review = leos[0][0]
    assert (reminded[review.id].owner, reminded[review.id].channel) == (LEO, LEO_CHANNEL)


def test_the_account_owner_or_an_operator_decides_not_the_agent_owner(rt):
    in_chat(rt, DANA="active", LEO="active")
    leos = [r for r, a in ticked(rt) if r.agent_id == "data-platform" and a in LEOS]
    first, second = leos[:2]

    refused = decide(rt, Request(first.id, DANA, Action.APPROVE, content_hash=first.content_hash))
    assert (refused.status, refused.outcome, refused.detail) == ("forbidden", "account_owner", LEO)
    assert refusal_text(refused.status, refused.outcome, refused.decided_by, refused.detail) == (
        f"This account's owner <@{LEO}> decides this review (or an operator)."
    )
    with rt.db.session() as s:
        assert s.get_one(Review, first.id).status == "open"

    ok = decide(rt, Request(first.id, LEO, Action.APPROVE, content_hash=first.content_hash))
    assert (ok.status, ok.outcome) == ("decided", "approved")
    by_op = decide(rt, Request(second.id, OPERATOR, Action.KILL, reason_code="wrong_account"))
    assert by_op.status == "decided"
    with rt.db.session() as s:
        assert s.get_one(Review, first.id).decided_by == LEO
        assert s.get_one(Review, second.id).decided_by == OPERATOR


def test_a_stranger_is_told_the_owner_as_before(rt):
    in_chat(rt, DANA="active", LEO="active")
    dana = next(r for r, a in ticked(rt) if a not in LEOS)
    refused = decide(rt, Request(dana.id, LEO, Action.APPROVE))
    assert (refused.status, refused.outcome, refused.detail) == ("forbidden", "", DANA)
    assert refusal_text("forbidden", "", "", DANA).startswith("Only the owner")


def test_an_agent_may_keep_its_reviews_with_its_owner(rt):
    in_chat(rt, DANA="active", LEO="active")
    path = rt.settings.agents_dir / "data-platform.md"
    path.write_text(path.read_text().replace("\nowner: ", "\nreview_by: agent_owner\nowner: ", 1))
    got = ticked(rt)
    ours = [r for r, _ in got if r.agent_id == "data-platform"]
    assert ours and {(r.owner, r.channel) for r in ours} == {(DANA, DANA_CHANNEL)}
    # The other agent keeps the fleet's default: the account's owner.
    assert all(
        r.owner == (LEO if a in LEOS else DANA) for r, a in got if r.agent_id != "data-platform"
    )


def test_the_fleet_default_can_be_the_agent_owner(rt):
    in_chat(rt, DANA="active", LEO="active")
    rt.settings.review_by = "agent_owner"
    got = ticked(rt)
    assert got and all(r.owner == {"data-platform": DANA}.get(r.agent_id, LEO) for r, _ in got)
    assert rt.humans.lookups == [], "no owner to look up"


def test_a_departed_owner_falls_back_and_the_operators_are_told_once(rt):
    rt.settings.operator_channel = OPS
    in_chat(rt, DANA="active", LEO="deactivated")
    got = ticked(rt)
    leos = [r for r, a in got if r.agent_id == "data-platform" and a in LEOS]
    assert leos and {(r.owner, r.channel) for r in leos} == {(DANA, DANA_CHANNEL)}
    told = operator_notes(rt)
    assert len(told) == 1, told
    assert f"@{LEO} is deactivated" in told[0]
    for name in ("Bluefin Pay", "Cobalt Health", "Fjord Bank", "Granite Cloud"):
        assert name in told[0]
    assert "Acme" not in told[0]
    with rt.db.session() as s:
        assert s.get_one(AccountManager, LEO).missing_told_at is not None

    # Days later, asked again and still gone: nobody is told twice.
    later(rt, days=2)
    reviews.sweep(rt)
    loop.tick(rt)
    reviews.post_pending(rt)
    assert len(operator_notes(rt)) == 1
    assert rt.humans.lookups.count(("status", LEO)) == 2

    # Back, and gone again: that is news again.
    in_chat(rt, DANA="active", LEO="active")
    later(rt, days=2)
    reviews.sweep(rt)
    in_chat(rt, DANA="active", LEO="deactivated")
    later(rt, days=2)
    reviews.sweep(rt)
    assert len(operator_notes(rt)) == 2


def test_an_owner_the_chat_does_not_know_falls_back(rt):
    rt.settings.operator_channel = OPS
    in_chat(rt, DANA="active", LEO="active")
    set_owner(rt, "acme", "U0GONE0001")
    got = ticked(rt)
    acme = [r for r, a in got if a == "acme"]
    assert acme and {(r.owner, r.channel) for r in acme} == {(DANA, DANA_CHANNEL)}
    assert [t for t in operator_notes(rt) if "U0GONE0001" in t] == [
        "Account owner @U0GONE0001 is not in the chat: the agents' owners decide the reviews "
        "of the 1 account(s) they own until those get a new owner (Acme Analytics)."
    ]


def test_an_account_without_an_owner_is_the_agent_owners(rt):
    in_chat(rt, DANA="active", LEO="active")
    for account in LEOS:
        set_owner(rt, account, "")
    got = ticked(rt)
    assert all(r.owner == DANA for r, a in got if r.agent_id == "data-platform")
    assert ("status", LEO) not in rt.humans.lookups


def test_an_owner_named_by_address(rt):
    rt.settings.operator_channel = OPS
    in_chat(rt, DANA="active", LEO="active", U0AMSAM003="active")
    set_owner(rt, "acme", "Sam.Lee@Northwind.example")  # not in ams.yml: the chat knows Sam
    set_owner(rt, "delta", "leo@northwind.example")  # in ams.yml: no lookup needed
    set_owner(rt, "bluefin", "Nobody@Northwind.example")  # unknown anywhere
    rt.humans.emails = {"sam.lee@northwind.example": "U0AMSAM003"}
    got = dict((a, r) for r, a in ticked(rt) if r.agent_id == "data-platform")
    # Sam decides, in the agent's channel: ams.yml does not give Sam one.
    assert (got["acme"].owner, got["acme"].channel) == ("U0AMSAM003", DANA_CHANNEL)
    assert (got["delta"].owner, got["delta"].channel) == (LEO, LEO_CHANNEL)
    assert (got["bluefin"].owner, got["bluefin"].channel) == (DANA, DANA_CHANNEL)
    emails = [who for kind, who in rt.humans.lookups if kind == "email"]
    assert sorted(emails) == ["nobody@northwind.example", "sam.lee@northwind.example"]
    with rt.db.session() as s:
        sam = s.get_one(AccountManager, "U0AMSAM003")
        assert (sam.email, sam.status, sam.channel) == ("sam.lee@northwind.example", "active", "")
    assert [t for t in operator_notes(rt) if "nobody@" in t] == [
        "Account owner nobody@northwind.example is not in the chat: the agents' owners decide "
        "the reviews of the 1 account(s) they own until those get a new owner (Bluefin Pay)."
    ]
    # Cached: another tick asks nobody again the same day; the sweep asks only about Dana,
    # in ams.yml and owner of accounts no review was about yet.
    asked = len(rt.humans.lookups)
    loop.tick(rt)
    reviews.sweep(rt)
    assert rt.humans.lookups[asked:] == [("status", DANA)]


def test_the_sweep_refreshes_owners_daily_outside_reviews(rt):
    in_chat(rt, DANA="active", LEO="active")
    assert owners.refresh(rt) == 2
    assert owners.refresh(rt) == 0, "asked today already"
    with rt.db.session() as s:
        leo = s.get_one(AccountManager, LEO)
        assert (leo.status, leo.channel, leo.name, leo.source) == (
            "active",
            LEO_CHANNEL,
            "Leo Marsh",
            "ams.yml",
        )
    rt.humans.lookups.clear()
    got = ticked(rt)
    assert got and rt.humans.lookups == [], "routing used what the sweep cached"
    in_chat(rt, DANA="active", LEO="deactivated")
    later(rt, hours=25)
    reviews.sweep(rt)
    with rt.db.session() as s:
        assert s.get_one(AccountManager, LEO).status == "deactivated"


def test_without_a_chat_ams_yml_is_trusted(rt):
    rt.humans = None
    set_owner(rt, "bluefin", "U0NOTLISTED")
    got = ticked(rt)
    mine = {a: r for r, a in got if r.agent_id == "data-platform"}
    assert (mine["granite"].owner, mine["granite"].channel) == (LEO, LEO_CHANNEL)
    assert (mine["acme"].owner, mine["acme"].channel) == (DANA, DANA_CHANNEL)
    # Nobody can say who U0NOTLISTED is: the agent's owner decides.
    assert (mine["bluefin"].owner, mine["bluefin"].channel) == (DANA, DANA_CHANNEL)


def test_a_reply_goes_to_the_accounts_owner(rt):
    in_chat(rt, DANA="active", LEO="active")
    ours = sent_first(rt)
    with rt.db.session() as s:
        account_id = s.get_one(Draft, ours.draft_id).account_id
    set_owner(rt, account_id, LEO)
    got = replies.ingest(rt, reply_to(ours, "Interesting. What does it cost for 40 seats?"), "t")
    assert got.review_id is not None
    with rt.db.session() as s:
        review = s.get_one(Review, got.review_id)
    assert (review.kind, review.owner, review.channel) == ("reply", LEO, LEO_CHANNEL)
    card = next(c for c in rt.humans.posted if c.review_id == review.id)
    assert (card.owner, card.channel) == (LEO, LEO_CHANNEL)
    assert decide(rt, Request(review.id, DANA, Action.KILL, reason_code="other")).status == (
        "forbidden"
    )


def test_plays_stay_with_the_agent_owner(rt):
    in_chat(rt, DANA="active", LEO="active")
    loop.tick(rt)
    with rt.db.session() as s:
        plays = list(s.exec(select(Review).where(Review.kind == "play")))
    assert plays and all(
        r.owner == {"data-platform": DANA, "security-expansion": LEO}[r.agent_id] for r in plays
    )


def test_home_shows_the_agent_owner_their_reviews_with_other_ams(rt):
    in_chat(rt, DANA="active", LEO="active")
    got = ticked(rt)
    away = [r.id for r, a in got if r.agent_id == "data-platform" and a in LEOS]
    dana = home_for(rt, DANA)
    assert [e.review_id for e in dana.elsewhere] == away and dana.elsewhere_total == len(away)
    assert {(e.owner, e.channel) for e in dana.elsewhere} == {(LEO, LEO_CHANNEL)}
    assert all(e.account.startswith(("Bluefin Pay", "Granite Cloud")) for e in dana.elsewhere)
    assert not set(away) & {c.review_id for c in dana.cards}, "seen, not decided, on Home"
    leo = home_for(rt, LEO)
    assert set(away) <= {c.review_id for c in leo.cards}
    assert leo.elsewhere == [], "Leo's agent has nothing with other AMs"
    assert home_for(rt, OPERATOR).elsewhere == [], "operators see every review already"


# ams.yml


def write(tmp_path, text: str):
    path = tmp_path / "ams.yml"
    path.write_text(text)
    return path


def test_ams_yml_long_and_short_forms(tmp_path):
    path = write(
        tmp_path,
        "account_managers:\n"
        "  U0AMDANA01: {channel: C0REVIEWS01, name: Dana Cole, email: Dana@Northwind.example}\n"
        "  U0AMLEO002: C0REVIEWS02\n",
    )
    got = load_managers(path)
    assert got[DANA].channel == DANA_CHANNEL and got[DANA].email == "dana@northwind.example"
    assert (got[LEO].channel, got[LEO].name) == (LEO_CHANNEL, "")
    assert load_managers(tmp_path / "missing.yml") == {}


@pytest.mark.parametrize(
    ("text", "line", "field", "says"),
    [
        ("account_managers:\n  U0AMDANA01: {channel: reviews}\n", 2,
         "account_managers.U0AMDANA01.channel", "'reviews' is not a channel id"),
        ("account_managers:\n  U0AMDANA01: C0R\n  U0AMLEO002: general\n", 3,
         "account_managers.U0AMLEO002.channel", "'general' is not a channel id"),
        ("account_managers:\n  dana: C0REVIEWS01\n", 2,
         "account_managers.dana", "not a chat user id"),
        ("account_managers:\n  U0AMDANA01:\n    channel: C0REVIEWS01\n    chanel: C0X\n", 4,
         "account_managers.U0AMDANA01.chanel", "Extra inputs"),
        ("account_managers:\n  U0AMDANA01:\n    channel: C0REVIEWS01\n    email: dana\n", 4,
         "account_managers.U0AMDANA01.email", "'dana' is not an email address"),
        ("account_managers:\n  U0AMDANA01: [C0REVIEWS01]\n", 2,
         "account_managers.U0AMDANA01", "expected a channel id"),
        ("account_managers:\n  U0AMDANA01: C0REVIEWS01\n  U0AMDANA01: C0REVIEWS02\n", 3,
         "account_managers.U0AMDANA01", "listed twice"),
        ("account_managers:\n  U0AMDANA01: {channel: C0A, email: a@b.co}\n"
         "  U0AMLEO002: {channel: C0B, email: A@b.co}\n", 3,
         "account_managers.U0AMLEO002.email", "a@b.co is also U0AMDANA01's"),
        ("account_managers: [U0AMDANA01]\n", 1, "account_managers", "valid dictionary"),
        ("managers: {}\n", 1, "managers", "Extra inputs"),
        ("account_managers:\n  U0AMDANA01: {channel: C0A\n", 3, None, ""),
    ],
)  # fmt: skip
def test_ams_yml_errors_name_the_file_line_and_field(tmp_path, text, line, field, says):
    path = write(tmp_path, text)
    with pytest.raises(FileError) as err:
        load_managers(path)
    assert (err.value.path, err.value.line, err.value.field) == (path, line, field)
    assert says in err.value.message
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_a_broken_ams_yml_is_logged_and_reviews_go_to_the_agent_owners(rt, caplog):
    in_chat(rt, DANA="active", LEO="active")
    write(rt.settings.home, "account_managers:\n  U0AMLEO002: general\n")
    got = ticked(rt)
    assert "ams.yml:2: account_managers.U0AMLEO002.channel" in caplog.text
    # Leo is still active in the chat, so still the owner: in the agent's channel.
    assert {
        (r.owner, r.channel) for r, a in got if r.agent_id == "data-platform" and a in LEOS
    } == {(LEO, DANA_CHANNEL)}


def test_init_copies_a_starter_ams_yml_for_the_sample_ams(tmp_path):
    written = init(tmp_path / "home")
    path = tmp_path / "home" / "ams.yml"
    assert path in written
    got = load_managers(path)
    with open(tmp_path / "home" / "data" / "accounts.csv") as f:
        owners_in_csv = {line.split(",")[6] for line in list(f)[1:]}
    assert owners_in_csv == set(got) == {DANA, LEO}
    assert (got[DANA].channel, got[LEO].channel) == (DANA_CHANNEL, LEO_CHANNEL)
