"""The title lean remembers what an AM did with drafts to a title: counts over the verdicts
trained on, not a weight that shrinks whenever fewer such drafts reach them."""

from __future__ import annotations

from bot.core.second_check import (
    TITLE_MIN_VERDICTS,
    Current,
    title_counts,
    title_features,
    title_memory,
)


def features(title: str) -> dict[str, float]:
    return {"bias": 1.0, "industry=software": 1.0, **title_features(title)}


def verdicts(am: str, title: str, approved: int, edited: int):
    x = features(title)
    return [(am, x, 1)] * approved + [(am, x, 0)] * edited


def test_an_am_who_rewrites_every_cto_draft_leans_away_from_ctos():
    rows = verdicts("U1", "CTO", 0, 12) + verdicts("U1", "Head of Data", 30, 6)
    model = {"titles": title_counts(rows)}
    cto = title_memory(model, "CTO", "U1")
    head = title_memory(model, "Head of Data", "U1")
    assert cto is not None and cto < -1.5  # about 1/20 the odds of their other drafts
    assert head is not None and head > 0
    # Another AM's verdicts say nothing of this one's taste.
    assert title_memory(model, "CTO", "U2") is None
    # Current reads the counts first, whatever the model's weights say.
    assert Current({"coef": {"title=cto": 5.0}, **model}).title_lean("CTO", "a1", "U1") == cto


def test_a_few_verdicts_do_not_speak_for_a_title_yet():
    few = TITLE_MIN_VERDICTS - 1
    rows = verdicts("U1", "CTO", 0, few) + verdicts("U1", "Head of Data", 20, 0)
    model = {"titles": title_counts(rows), "coef": {"title=cto": -0.4}}
    assert title_memory(model, "CTO", "U1") is None
    # ... so the model's own title weight answers.
    assert Current(model).title_lean("CTO", "a1", "U1") == -0.4


def test_a_title_approved_like_the_rest_does_not_lean():
    rows = verdicts("U1", "VP Data", 15, 5) + verdicts("U1", "Head of Data", 30, 10)
    lean = title_memory({"titles": title_counts(rows)}, "VP Data", "U1")
    assert lean is not None and abs(lean) < 0.1
