"""App Home as Slack uses it: a signed app_home_opened event to the running app publishes the
user's open reviews with their buttons, their agents and the last 7 days; a click on Home
decides and Home is published again without the item."""

from __future__ import annotations

import json
import time
import uuid

from sqlmodel import select

from bot.agent import loop
from bot.readouts import DayCounts
from bot.reports import home as home_data
from bot.review import lifecycle as reviews
from handlers.ids import APPROVE, KILL, KILL_VIEW
from handlers.views.home import home_view
from storage.models import Decision, Draft, Review
from tests.conftest import approve_plays
from tests.fakes.slack_requests import (
    block_action,
    interaction_body,
    post_signed,
    sign,
    view_submission,
    wait_for,
)

DANA = "U0AMDANA01"


def open_home(http, user: str):
    body = json.dumps(
        {
            "token": "legacy-unused",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0HOME",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
        }
    )
    headers = {**sign(body), "Content-Type": "application/json"}
    return http.post("/slack/events", content=body, headers=headers)


def home_click(http, user: str, action_id: str, review: Review):
    """A button on the Home tab: Slack sends the Home view and no channel."""
    payload = block_action(user, action_id, f"{review.id}:{review.content_hash}")
    del payload["channel"], payload["message"]
    payload["container"] = {"type": "view", "view_id": "V0HOME"}
    payload["view"] = {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}}
    return post_signed(http, "/slack/events", interaction_body(payload))


def open_reviews(rt, owner=DANA):
    with rt.db.session() as s:
        q = select(Review).where(Review.status == "open", Review.owner == owner)
        return list(s.exec(q.order_by(Review.created_at)))


def cards_for(service):
    approve_plays(service.rt)
    loop.tick(service.rt)
    reviews.post_pending(service.rt)
    return open_reviews(service.rt)


def published(slack, user, after=0):
    calls = [c for c in slack.of("views.publish") if c.args["user_id"] == user]
    return calls[after:]


def buttons(view: dict) -> dict[str, list[str]]:
    """value -> action ids of the buttons on a view."""
    out: dict[str, list[str]] = {}
    for block in view["blocks"]:
        for el in block.get("elements", []) if block["type"] == "actions" else []:
            out.setdefault(el["value"], []).append(el["action_id"])
    return out


def test_home_lists_open_reviews_with_their_buttons_agents_and_week(service, slack, http):
    revs = cards_for(service)
    assert revs
    assert open_home(http, DANA).status_code == 200
    (call,) = wait_for(lambda: published(slack, DANA))
    view = call.args["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    on_home = buttons(view)
    for r in revs:
        value = f"{r.id}:{r.content_hash}"
        assert on_home[value] == ["review_approve", "review_edit", "review_defer", "review_kill"]
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert f"Your open reviews: {len(revs)}" in text
    assert "Data platform outbound" in text and "probation" in text
    with service.rt.db.session() as s:
        drafted = len(s.exec(select(Draft).where(Draft.agent_id == "data-platform")).all())
    assert f"drafted {drafted} ·" in text
    assert "Last 7 days" in text
    assert "Security program expansion" not in text  # Leo's agent


def test_a_click_on_home_decides_and_home_is_published_again(service, slack, http):
    revs = cards_for(service)
    open_home(http, DANA)
    wait_for(lambda: published(slack, DANA))
    first = revs[0]
    assert home_click(http, DANA, APPROVE, first).status_code == 200
    (again,) = wait_for(lambda: published(slack, DANA, after=1))
    with service.rt.db.session() as s:
        decision = s.exec(select(Decision).where(Decision.review_id == first.id)).one()
        assert decision.action == "approve" and decision.actor == DANA
    on_home = buttons(again.args["view"])
    assert f"{first.id}:{first.content_hash}" not in on_home
    assert len(on_home) == len(revs) - 1
    assert "approved 1" in json.dumps(again.args["view"]["blocks"], ensure_ascii=False)
    assert not slack.of("chat.postEphemeral")  # Home has no channel to be told in


def test_a_refused_click_on_home_says_why_on_home(service, slack, http):
    revs = cards_for(service)
    assert home_click(http, DANA, APPROVE, revs[0]).status_code == 200
    wait_for(lambda: published(slack, DANA))
    assert home_click(http, DANA, APPROVE, revs[0]).status_code == 200  # a second click
    (second,) = wait_for(lambda: published(slack, DANA, after=1))
    assert "Already approved by <@U0AMDANA01>." in json.dumps(second.args["view"]["blocks"])


def test_kill_from_home_opens_the_modal_and_the_submission_republishes(service, slack, http):
    revs = cards_for(service)
    target = revs[-1]
    assert home_click(http, DANA, KILL, target).status_code == 200
    (opened,) = wait_for(lambda: slack.of("views.open"))
    meta = opened.args["view"]["private_metadata"]
    assert json.loads(meta)["home"] == 1
    values = {
        "reason": {"value": {"type": "static_select", "selected_option": {"value": "off_brand"}}}
    }
    sub = view_submission(DANA, KILL_VIEW, meta, values)
    assert post_signed(http, "/slack/events", interaction_body(sub)).status_code == 200
    (again,) = wait_for(lambda: published(slack, DANA))
    assert f"{target.id}:{target.content_hash}" not in buttons(again.args["view"])
    with service.rt.db.session() as s:
        d = s.exec(select(Decision).where(Decision.review_id == target.id)).one()
        assert d.action == "kill" and d.reason_code == "off_brand"


def test_home_for_an_operator_shows_every_review(service):
    from tests.conftest import OPERATOR

    cards_for(service)
    h = home_data.home_for(service.rt, OPERATOR)
    mine = home_data.home_for(service.rt, DANA)
    assert h.operator and {a.agent_id for a in h.agents} == set(service.rt.fleet().agents)
    assert h.open_total >= mine.open_total > 0
    assert {a.agent_id for a in mine.agents} == {"data-platform"}


def test_home_stays_within_slacks_block_limit():
    agents = [
        home_data.AgentHealth(
            f"a{i}", f"Agent {i}", "supervised", i % 2 == 0, "bounces", DayCounts(), 1, 0.01
        )
        for i in range(80)
    ]
    h = home_data.Home(
        user=DANA,
        operator=True,
        cards=[],
        open_total=500,
        agents=agents,
        week=DayCounts(drafted=9),
        tz="UTC",
        notice="x",
    )
    view = home_view(h).to_dict()
    assert len(view["blocks"]) <= 100
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "and 500 more" in text and "and 55 more agents" in text


def test_home_caps_the_review_list(rt):
    """Many open reviews: Home shows the oldest `limit` with buttons and counts the rest."""
    approve_plays(rt)
    loop.tick(rt)
    total = len(open_reviews(rt))
    assert total >= 2
    h = home_data.home_for(rt, DANA, limit=1)
    assert len(h.cards) == 1 and h.open_total == total
    view = home_view(h).to_dict()
    assert f"and {total - 1} more" in json.dumps(view["blocks"], ensure_ascii=False)
    assert len(buttons(view)) == 1
