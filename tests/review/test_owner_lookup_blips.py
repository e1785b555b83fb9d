"""A chat that does not answer is not a chat that says "gone": an AM stays the owner through a
Slack outage, and nobody is told they left."""

from __future__ import annotations

from datetime import timedelta

from bot.memory import owners
from storage.models import AccountManager
from tests.review.test_owner_routing import DANA, LEO, in_chat


class Down(Exception):
    pass


def test_a_failed_lookup_keeps_what_the_chat_said_last(rt):
    rt.settings.operator_channel = "C0OPS"
    in_chat(rt, DANA="active", LEO="active")
    assert owners.refresh(rt) >= 2
    asked = len(rt.humans.lookups)

    def no_answer(user: str) -> str:
        rt.humans.lookups.append(("status", user))
        raise Down("users.info: 503")

    rt.humans.user_status = no_answer
    moved = rt.now() + timedelta(days=2)  # the cache is stale: the chat is asked again
    rt.clock = lambda: moved
    owners.refresh(rt)
    assert len(rt.humans.lookups) > asked, "it did ask"
    with rt.db.session() as s:
        rows = {u: s.get(AccountManager, u) for u in (DANA, LEO)}
        route = owners.manager(rt, s, LEO, rt.now())
    assert {u: r.status for u, r in rows.items()} == {DANA: "active", LEO: "active"}
    assert route.status == "active" and route.channel == "C0REVIEWS02"
    assert owners.tell_missing(rt) == 0
    assert not [n for c, n in rt.humans.notes if c == "C0OPS"]
