"""Personalization is read off the draft's text, the same way for a template and a model, and
the opener cites the signal the match came from, not merely the newest one."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.agent import loop
from bot.agent.facts import opener
from bot.config.agents import PlaySpec, load_fleet
from bot.core.drafting import DraftRequest, Fact, OfflineWriter
from bot.core.matching import Match
from bot.core.personalization import measure
from bot.intake.importer import ingest_signals, load
from bot.ports import MatchPath, PathStep
from bot.reports import why
from bot.review import cards
from storage.models import Draft, Review, Signal
from tests.conftest import approve_plays

PLAY = PlaySpec(
    id="p",
    name="P",
    trigger=["hiring"],
    subject="{{account.name}} and {{problem.name}}",
    body=(
        "Hi {{contact.first_name}},\n\nI saw that {{signal.summary}}. Teams growing that fast "
        "often run into {{problem.name}}.\n\n{{capability.name}}: {{capability.summary}} "
        "{{capability.proof}}\n\nWould a 20-minute call next week be useful?\n\n{{sender.name}}"
    ),
)


def facts(summary: str, title: str = "Head of Data") -> dict[str, Fact]:
    rows = [
        Fact("contact:c1:first_name", "contact.first_name", "Priya"),
        Fact("contact:c1:title", "contact.title", title),
        Fact("account:acme:name", "account.name", "Acme Analytics"),
        Fact("account:acme:industry", "account.industry", "software"),
        Fact("signal:7", "signal.summary", summary),
        Fact("problem:capacity", "problem.name", "a data team stretched thin"),
        Fact("capability:pipes", "capability.name", "Northwind Pipelines"),
        Fact("capability:pipes:summary", "capability.summary", "managed data pipelines."),
        Fact("capability:pipes:proof", "capability.proof", "Fernhill cut incidents by 60%."),
        Fact("agent:a:sender", "sender.name", "Dana"),
    ]
    return {f.slot: f for f in rows}


def template_draft(given: dict[str, Fact]):
    written = OfflineWriter().write(DraftRequest(None, PLAY, given, 0.8))  # type: ignore[arg-type]
    return written.subject, written.body


def test_scores_differ_with_the_facts_of_the_same_play():
    short = facts("Acme is hiring")
    long = facts(
        "Acme Analytics is hiring three senior data engineers and two analytics engineers "
        "to move its warehouse off a nightly batch"
    )
    a = measure(*template_draft(short), PLAY, short)
    b = measure(*template_draft(long), PLAY, long)
    assert a.score != b.score and b.score > a.score
    assert b.specific_share > a.specific_share
    assert 0 < a.score < 1 and 0 < b.score < 1


def test_a_model_draft_that_adds_sentences_about_them_scores_higher_than_the_template():
    given = facts("Acme Analytics is hiring three senior data engineers")
    subject, body = template_draft(given)
    template = measure(subject, body, PLAY, given)
    richer = body.replace(
        "Teams growing",
        "As Head of Data you will be onboarding them while the software keeps shipping, and "
        "Acme Analytics has doubled its data team this year. Teams growing",
    )
    model = measure(subject, richer, PLAY, given)
    assert model.score > template.score
    assert model.specific_share > template.specific_share
    assert ("contact.title", "contact:c1:title") in model.about_them
    assert ("contact.title", "contact:c1:title") not in template.about_them


def test_the_template_alone_is_not_personal():
    given = facts("Acme Analytics is hiring three senior data engineers")
    stock = PLAY.body
    for slot in ("contact.first_name", "signal.summary"):
        stock = stock.replace("{{" + slot + "}}", "")
    for slot, fact in given.items():
        stock = stock.replace("{{" + slot + "}}", fact.text)
    bare = measure("A note", stock, PLAY, given)
    assert bare.specific_share == 0 and bare.about_them == () and bare.score == 0


def test_a_fact_the_text_does_not_carry_does_not_count():
    given = facts("Acme Analytics is hiring three senior data engineers")
    subject, body = template_draft(given)
    got = measure(subject, body, PLAY, given)
    assert "contact.title" not in {slot for slot, _ in got.about_them}  # offered, not used
    assert "account.industry" not in {slot for slot, _ in got.about_them}
    # A draft that leaves the signal out entirely loses the signal's weight.
    without = body.replace("I saw that Acme Analytics is hiring three senior data engineers. ", "")
    less = measure(subject, without, PLAY, given)
    assert "signal.summary" not in {slot for slot, _ in less.about_them}
    assert less.score < got.score
    # A model saying it used facts changes nothing: only the text is read.
    assert measure(subject, body, PLAY, given) == got


def test_the_basis_names_what_it_counted():
    given = facts("Acme Analytics is hiring three senior data engineers")
    got = measure(*template_draft(given), PLAY, given)
    assert got.basis.startswith(f"{got.score:.2f}: about them: the signal, the company")
    assert "their first name" in got.basis and "their title" not in got.basis
    assert f"{got.specific_share:.0%} of the body is not the play's template" in got.basis


def step(src: str, rel: str, dst: str) -> PathStep:
    return PathStep(src, rel, dst, 1.0, 1.0, 0)


def test_the_opener_follows_the_top_path_not_the_newest_signal():
    kube = Signal(id=2, account_id="b", kind="tech_adoption", summary="B rolled out Kubernetes")
    ciso = Signal(id=1, account_id="b", kind="leadership_change", summary="B named a new CISO")
    appointed = MatchPath(
        (
            step("account:b", "appointed", "role:security-leader"),
            step("role:security-leader", "indicates", "problem:gaps"),
            step("capability:comply", "solves", "problem:gaps"),
        ),
        0.6,
    )
    uses = MatchPath(
        (
            step("account:b", "uses", "tech:kubernetes"),
            step("tech:kubernetes", "indicates", "problem:audit"),
            step("capability:comply", "solves", "problem:audit"),
        ),
        0.3,
    )
    play = PLAY.model_copy(update={"trigger": ["leadership_change", "tech_adoption"]})
    aliases = {"role:security-leader": ["ciso"], "tech:kubernetes": ["kubernetes"]}
    match = Match("comply", 0.5, 0.6, 0.8, (appointed, uses))
    assert opener([kube, ciso], match, play, {}, aliases) == (ciso, "problem:gaps")
    # The second path's signal when the first path's kind is not one the play triggers on.
    only_tech = play.model_copy(update={"trigger": ["tech_adoption"]})
    assert opener([kube, ciso], match, only_tech, {}, aliases) == (kube, "problem:audit")
    # No path step a signal added (the role came from elsewhere): the newest trigger signal.
    other = Signal(id=3, account_id="b", kind="leadership_change", summary="B hired a COO")
    assert opener([kube, other], match, play, {}, aliases) == (kube, "problem:audit")
    none = Match("comply", 0.5, 0.6, 0.8, (appointed,))
    assert opener([kube, other], none, play, {}, aliases) == (kube, "problem:gaps")


def test_the_draft_opens_with_the_signal_its_match_came_from(rt):
    """Bluefin rolled out Kubernetes yesterday (the newest signal) and appointed a CISO last
    week; the match runs through `appointed -> role:security-leader`, so the draft cites the
    CISO, the card shows what personalization counted, and `why` says it too."""
    home = rt.settings.home
    knowledge = home / "data" / "knowledge.yml"
    knowledge.write_text(
        knowledge.read_text().replace(
            "tech:\n",
            "tech:\n  kubernetes:\n    name: Kubernetes\n    matches: [kubernetes]\n"
            "    indicates: {audit-readiness: 0.3}\n",
        )
    )
    load(rt.db, [knowledge])
    play = rt.settings.plays_dir / "new-security-leader.md"
    play.write_text(
        play.read_text().replace(
            "[leadership_change, hiring]", "[leadership_change, tech_adoption, hiring]"
        )
    )
    agent = rt.settings.agents_dir / "security-expansion.md"
    agent.write_text(
        agent.read_text().replace("  hiring: 0.5\n", "  hiring: 0.5\n  tech_adoption: 0.5\n")
    )
    assert not load_fleet(rt.settings.agents_dir, rt.settings.plays_dir).errors
    ingest_signals(
        rt.db,
        [
            {
                "account_id": "bluefin",
                "kind": "tech_adoption",
                "summary": "Bluefin Pay rolled out Kubernetes across its payment services",
                "detail": "Kubernetes",
                "observed_at": rt.now() - timedelta(days=1),
            }
        ],
        "test",
    )
    approve_plays(rt)
    loop.tick(rt, "security-expansion")
    with rt.db.session() as s:
        draft = s.exec(select(Draft).where(Draft.account_id == "bluefin")).one()
        review = s.exec(
            select(Review).where(Review.kind == "draft", Review.subject_id == draft.id)
        ).one()
        card = cards.draft_card(rt, s, review)
    assert draft.play_id == "new-security-leader"
    assert "Bluefin Pay appointed Marcus Hale as CISO" in draft.body
    assert "Kubernetes" not in draft.body
    basis = draft.explain["personalization_basis"]
    assert basis.startswith(f"{draft.personalization:.2f}: about them: the signal")
    personal, _ = cards.scores_text(card)
    assert personal.startswith(f"Personalization {draft.personalization:.2f} (review above")
    assert basis.removeprefix(f"{draft.personalization:.2f}: ") in personal
    assert f"  personalization {basis}" in why.render(why.chain(rt, draft.id))
