"""`twoloop why DRAFT_ID|EMAIL|MESSAGE-ID`: the whole chain behind one draft, from the signals
that triggered it to the replies that came back, so a wrong send can be traced to its cause."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from email import errors
from email.headerregistry import Address
from typing import Any

from sqlmodel import Session

from bot.core.matching import ALL, step_factor
from bot.review import context, learning
from bot.review.cards import _paths, check_text, path_text
from bot.runtime import Runtime
from storage import trail
from storage.models import Account, Contact, Draft


@dataclass(frozen=True)
class Found:
    """What a reference named: the draft to trace, and how it was found. A contact may have
    several drafts: the newest is traced, `others` lists the rest (newest first)."""

    draft_id: int
    via: str  # "draft" | "contact" | "message"
    others: list[tuple[int, str, datetime]] = field(default_factory=list)  # id, status, created


def find(rt: Runtime, ref: str) -> Found | None:
    """A draft id, a contact's address, or a Message-ID (ours or a reply's, <> optional).

    An address and a bare Message-ID look alike (both are local@domain), so a lookup as a
    contact that finds nothing falls back to the Message-ID."""
    ref = ref.strip()
    if ref.isdigit():
        return Found(int(ref), "draft")
    with rt.db.session() as s:
        if _is_address(ref):
            rows = trail.drafts(s, contact_email=ref, limit=1000)
            if rows:
                newest, *rest = (_listed(d) for d, _ in rows)
                return Found(newest[0], "contact", rest)
        message_id = ref if ref.startswith("<") and ref.endswith(">") else f"<{ref}>"
        draft_id = trail.draft_of_message(s, message_id)
    return Found(draft_id, "message") if draft_id is not None else None


def _listed(d: Draft) -> tuple[int, str, datetime]:
    assert d.id is not None  # a row read from the database has its id
    return d.id, d.status, d.created_at


def _is_address(text: str) -> bool:
    try:
        Address(addr_spec=text)
    except (ValueError, IndexError, errors.MessageError):
        return False
    return True


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def learned_now(beliefs: dict[str, tuple[float, float]], match: dict) -> dict[str, Any]:
    """The agent's learned evidence now for the keys a verdict on this draft moves (its
    relation types and steps): approvals, kills, and the factor the matcher would use."""
    counts = learning.evidence(beliefs)
    learned, decisions = learning.factors_of(beliefs)
    out: dict[str, Any] = {}
    for key in learning.keys(match):
        if key == ALL:
            continue
        rel, _, dst = key.partition(">")
        factor, decided = step_factor(learned, decisions, rel, dst)
        approved, killed = counts.get(key, (0.0, 0.0))
        out[key] = {
            "approved": approved,
            "killed": killed,
            "factor_now": round(factor, 4),
            "decisions": decided,
        }
    return out


def chain(rt: Runtime, draft_id: int) -> dict[str, Any] | None:
    """Plain data (what --json prints); None when there is no such draft."""
    with rt.db.session() as s:
        c = trail.draft_chain(s, draft_id)
        memory = relationship(rt, s, c.draft) if c is not None else {}
    if c is None:
        return None
    d = c.draft
    match = dict(d.match or {})
    weights = learned_now(c.weights, match)
    return {
        "draft": {
            "id": d.id,
            "agent_id": d.agent_id,
            "account_id": d.account_id,
            "contact_id": d.contact_id,
            "play_id": d.play_id,
            "capability_id": d.capability_id,
            "subject": d.subject,
            "body": d.body,
            "status": d.status,
            "created_at": _iso(d.created_at),
            "personalization": d.personalization,
            "confidence": d.confidence,
            "second_check": d.second_check,
            "second_check_features": d.features,
            "facts": d.facts,
        },
        "signals": [
            {
                "id": sig.id,
                "kind": sig.kind,
                "summary": sig.summary,
                "source": sig.source,
                "url": sig.url,
                "observed_at": _iso(sig.observed_at),
            }
            for sig in c.signals
        ],
        "match": match,
        "learned_weights_now": weights,
        "config_version": d.config_version,
        "gate": {"outcome": d.gate_outcome, "reasons": d.gate_reasons, "explain": d.explain},
        "reviews": [
            {
                "id": r.id,
                "kind": r.kind,
                "owner": r.owner,
                "channel": r.channel,
                "status": r.status,
                "outcome": r.outcome,
                "decided_by": r.decided_by,
                "decided_at": _iso(r.decided_at),
                "reasons": r.reasons,
                "created_at": _iso(r.created_at),
            }
            for r in c.reviews
        ],
        "decisions": [
            {
                "id": x.id,
                "review_id": x.review_id,
                "action": x.action,
                "actor": x.actor,
                "decided_at": _iso(x.decided_at),
                "reason_code": x.reason_code,
                "reason_text": x.reason_text,
                "before_subject": x.before_subject,
                "after_subject": x.after_subject,
                "before_body": x.before_body,
                "after_body": x.after_body,
                "defer_until": _iso(x.defer_until),
                "config_version": x.config_version,
            }
            for x in c.decisions
        ],
        "messages": [
            {
                "id": m.id,
                "step": m.step,
                "message_id": m.message_id,
                "from": m.from_addr,
                "to": m.to_addr,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "sent_at": _iso(m.sent_at),
                "last_error": m.last_error,
            }
            for m in c.messages
        ],
        "replies": [
            {
                "id": r.id,
                "message_id": r.message_id,
                "from": r.from_addr,
                "subject": r.subject,
                "received_at": _iso(r.received_at),
                "kind": r.kind,
                "intent": r.intent,
                "triggers": r.triggers,
                "confidence": r.confidence,
                "route": r.route,
                "action": r.action,
            }
            for r in c.replies
        ],
        "audit": [
            {
                "at": _iso(e.at),
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "detail": e.detail,
                "config_version": e.config_version,
            }
            for e in c.events
        ],
        "relationship": memory,
    }


def relationship(rt: Runtime, s: Session, d: Draft) -> dict[str, Any]:
    """The account's owner, the contact's standing when asked (what would hold a message to
    them back now, what would send it to a person) and the account's whole history."""
    account = s.get(Account, d.account_id)
    if account is None:
        return {}
    contact = s.get(Contact, d.contact_id)
    m = context.memory(rt, s, account, contact, d.agent_id)
    am = context.owner(rt, s, account)
    st = m.standing
    return {
        "asked_at": _iso(m.at),
        "account_owner": account.owner_am,
        "account_owner_user": am.user_id if am else "",
        "account_owner_name": am.name if am else "",
        "account_owner_status": am.status if am else "",
        "stops": list(st.stops) if st else [],
        "flags": list(st.flags) if st else [],
        "history": [
            {
                "at": _iso(e.at),
                "kind": e.kind,
                "contact_id": e.contact_id,
                "contact": m.names.get(e.contact_id, ""),
                "actor": e.actor,
                "summary": e.summary,
                "detail": e.detail,
                "line": context.history_line(e, m.names),
            }
            for e in m.events
        ],
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str)


def render(data: dict[str, Any]) -> str:
    d = data["draft"]
    out = [
        f"Draft #{d['id']} · agent {d['agent_id']} · play {d['play_id']} · "
        f"created {d['created_at']} · now {d['status']}",
        f"  account {d['account_id']}, contact {d['contact_id']}",
        f"  subject: {d['subject']}",
        "",
        "Signals",
    ]
    out += [
        f"  #{s['id']} {s['kind']}: {s['summary']} ({s['source'] or 'no source'}, "
        f"{s['observed_at']})"
        for s in data["signals"]
    ] or ["  none recorded"]
    m = data["match"]
    out += [
        "",
        f"Match: capability {m.get('capability', '?')}, score {m.get('score', 0):g} "
        f"(graph {m.get('graph_score', 0):g} × signal strength {m.get('signal_strength', 0):g})",
    ]
    out += [f"  {path_text(p)}" for p in _paths(m)]
    if data["learned_weights_now"]:
        out.append(
            "  learned factors now: "
            + ", ".join(
                f"{key} {w['factor_now']:.2f} ({w['approved']:g} approved, "
                f"{w['killed']:g} killed as wrong account)"
                for key, w in data["learned_weights_now"].items()
            )
        )
    g = data["gate"]
    out += [
        "",
        f"Config version {data['config_version']}",
        f"Gate: {g['outcome']} · personalization {d['personalization']:.2f} "
        f"(threshold {g['explain'].get('personalization_threshold', '?')}) · confidence "
        f"{d['confidence']:.2f} (threshold {g['explain'].get('confidence_threshold', '?')})",
    ]
    if g["explain"].get("personalization_basis"):
        out.append(f"  personalization {g['explain']['personalization_basis']}")
    out.append(
        "  "
        + check_text(
            d.get("second_check"),
            float(g["explain"].get("second_check_threshold", 0.0)),
            str(g["explain"].get("second_check_basis", "")),
        )
    )
    out += [f"  - {r.get('text', r)}" for r in g["reasons"]]
    out += ["", "Reviews"]
    out += [
        f"  #{r['id']} {r['kind']} for {r['owner']} in {r['channel']}: {r['status']}"
        + (f" ({r['outcome']} by {r['decided_by']} at {r['decided_at']})" if r["outcome"] else "")
        for r in data["reviews"]
    ] or ["  none (the gate did not ask for one)"]
    out += ["", "Decisions"]
    for x in data["decisions"]:
        line = f"  {x['action']} by {x['actor']} at {x['decided_at']}"
        if x["reason_code"] or x["reason_text"]:
            line += f": {x['reason_code']} {x['reason_text']}".rstrip()
        if x["defer_until"]:
            line += f" until {x['defer_until']}"
        out.append(line)
        if (
            x["action"] == "edit"
            and x["after_subject"]
            and x["after_subject"] != x["before_subject"]
        ):
            out.append(f"    subject: {x['before_subject']!r} → {x['after_subject']!r}")
    if not data["decisions"]:
        out.append("  none")
    out += ["", "Sent"]
    out += [
        f"  step {m['step']}: {m['status']} {m['sent_at'] or ''} {m['message_id']} "
        f"{m['from']} → {m['to']} {m['last_error']}".rstrip()
        for m in data["messages"]
    ] or ["  nothing"]
    out += ["", "Replies"]
    out += [
        f"  #{r['id']} {r['received_at']} from {r['from']}: {r['kind']}"
        + (f" / {r['intent']} ({r['confidence']:.2f})" if r["intent"] else "")
        + (f" triggers {', '.join(r['triggers'])}" if r["triggers"] else "")
        + f" → {r['route'] or '-'}"
        + (f"; {r['action']}" if r["action"] else "")
        for r in data["replies"]
    ] or ["  none"]
    out += ["", *relationship_text(data.get("relationship") or {}), "", "Audit"]
    out += [f"  {e['at']}  {e['actor']:22} {e['action']:24} {e['subject']}" for e in data["audit"]]
    return "\n".join(out)


CHAT_STATUS = {
    "active": "active in the chat",
    "deactivated": "deactivated in the chat: the agent's owner decides",
    "unknown": "not known to the chat (yet)",
}


def relationship_text(r: dict[str, Any]) -> list[str]:
    if not r:
        return ["Relationship", "  the account is gone"]
    owner, name, status = r["account_owner"], r["account_owner_name"], r["account_owner_status"]
    who = f"{name} ({owner})" if name and owner else owner or "none recorded"
    out = [
        f"Relationship (as of {r['asked_at']})",
        f"  account owner: {who}" + (f", {CHAT_STATUS.get(status, status)}" if status else ""),
    ]
    out += [f"  no new outreach: {x}" for x in r["stops"]]
    out += [f"  needs a look: {x}" for x in r["flags"]]
    if not r["stops"] and not r["flags"]:
        out.append("  standing: nothing holds a message to them back")
    out.append("  history (newest first):")
    out += [f"    {e['line']}" for e in r["history"]] or ["    nothing recorded"]
    return out
