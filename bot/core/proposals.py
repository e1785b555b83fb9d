"""What AMs' edits and kills say the agent's file should change. Pure: verdicts in, findings
(each a proposed change with its evidence) out; bot/agent/proposals.py reads the verdicts,
writes the file edit and asks an operator.

- A phrase AMs delete again and again becomes a banned phrase: the same word n-gram (2-6
  words, within one sentence) in the draft and gone from the sent text, in MIN_EDITS edits
  and most edits of drafts that had it. The longest such phrase is proposed, not its parts;
  a phrase with the prospect's own words in it (their company, their name) is a slot fill,
  different in every draft, and is never proposed.
- The same short replacement (X -> Y) in MIN_EDITS edits becomes an instruction line.
- A kill reason that dominates a play (MIN_KILLS kills, one reason >= DOMINANT of them)
  becomes a segment or threshold change, when the data says which one. Wrong-account kills
  no one industry explains, matched below what the agent's sent drafts matched, raise
  min_match_score to the cut between them.
- The other direction: a threshold that alone held MIN_HOLDS drafts the AMs then sent (none
  killed, >= APPROVED_AS_IS of them approved as is) is relaxed just past what they approved
  (to the 0.05 step). "Alone" is judged with today's second check, re-scored on each held
  draft: what it would review anyway neither counts for relaxing nor against it. Once the
  agent has MIN_OWN_HOLDS such holds, its peers' (same AM, same plays) count too.
  The second check itself is never relaxed: it is the model of the AM, and it stays the net
  under whatever the relaxed threshold lets through.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from statistics import median

from bot.config.agent_edits import Change
from bot.config.agents import AgentSpec
from bot.core.drafting import banned_phrases_in

MIN_EDITS = 3  # distinct edited drafts before a phrase or a rewrite is a pattern
MIN_KILLS = 5  # kills of one play's drafts before its dominant reason says anything
DOMINANT = 0.6  # share of those kills one reason must have
MAX_N, MIN_N = 6, 2  # phrase length in words
MAX_SPAN = 4  # words on either side of a rewrite
EXAMPLES = 3
MIN_HOLDS = 20  # drafts held for one threshold alone before relaxing it says anything
MIN_OWN_HOLDS = 5  # of them the agent's own: its peers' only add to what it shows itself
APPROVED_AS_IS = 0.9  # share of those the AMs approved without an edit
LOWEST_CONFIDENCE, HIGHEST_PERSONALIZATION = 0.2, 0.95  # never relaxed past these
# Raising min_match_score drops accounts unseen, so the cut must separate: most wrong-account
# kills below it, nearly every sent draft (of MIN_SENT at least) above it, and never above the cap.
KILLS_BELOW, SENT_ABOVE, MIN_SENT, HIGHEST_MIN_MATCH = 0.8, 0.9, 10, 0.5
# Reasons that hold every draft of an agent (or a random few) whatever its scores: a draft held
# for one of them and one threshold was held by that threshold alone.
NOT_A_HOLD = frozenset({"probation", "audit_sample"})

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# Phrases stop at sentence and clause punctuation: a banned phrase must be text a draft can
# contain as is (the content rules match it as a substring).
BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”<>|/\n]+")
STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "us",
        "we",
        "were",
        "what",
        "when",
        "which",
        "will",
        "with",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class Verdict:
    """One AM decision on one draft, with what the draft was about."""

    draft_id: int
    play_id: str
    action: str  # approve | edit | kill
    reason_code: str = ""
    before_body: str = ""
    after_body: str = ""
    account_id: str = ""
    account_name: str = ""
    industry: str = ""
    prospect: tuple[str, ...] = ()  # the prospect's own words: company, names
    signal_age_days: float | None = None  # the newest signal's age when drafted
    personalization: float = 0.0
    confidence: float = 0.0
    decided_at: datetime | None = None
    gate_reasons: tuple[str, ...] = ()  # the gate's reason codes for this draft
    match_score: float | None = None  # the match's score when drafted (Draft.match["score"])
    # Today's second check on the draft ("approved as is"; None: no trained check applies):
    # what would happen to it now, were a threshold relaxed.
    second_check_now: float | None = None


@dataclass(frozen=True)
class Finding:
    kind: str  # banned_phrase | instruction | threshold | segment
    key: str  # the change itself: never proposed twice
    summary: str
    change: Change
    evidence: dict = field(default_factory=dict)  # counts, examples, `lines` to show


def mine(verdicts: list[Verdict], spec: AgentSpec, peers: Sequence[Verdict] = ()) -> list[Finding]:
    """`peers`: verdicts of the agent's peers (the same AM, the same plays), pooled with its
    own only as evidence for relaxing a threshold (`relaxed_holds`)."""
    edits = _latest_edits(verdicts)
    rewrites = recurring_rewrites(edits, spec)
    replaced = {f.evidence["from"].lower() for f in rewrites}
    phrases = [
        f
        for f in removed_phrases(edits, spec)
        if not any(
            _inside(f.evidence["phrase"], r) or _inside(r, f.evidence["phrase"]) for r in replaced
        )
    ]
    kills = dominant_kills(verdicts, spec)
    # Kills asking to tighten a threshold outweigh approvals asking to relax it.
    tightened = {f.change.path for f in kills if f.kind == "threshold"}
    relaxed = [f for f in relaxed_holds(verdicts, spec, peers) if f.change.path not in tightened]
    return phrases + rewrites + kills + relaxed


# --- phrases AMs remove


def removed_phrases(edits: list[Verdict], spec: AgentSpec) -> list[Finding]:
    removed: dict[str, list[Verdict]] = defaultdict(list)
    contained: Counter[str] = Counter()
    for e in edits:
        before = _ngrams(e.before_body, _prospect_words(e))
        after = _ngrams(e.after_body, frozenset())
        contained.update(before)
        for gram in before - after:
            removed[gram].append(e)
    candidates = [
        g
        for g, es in removed.items()
        if len(es) >= MIN_EDITS
        and len(es) / contained[g] > 0.5
        and not set(g.split()) <= STOP
        and not banned_phrases_in(g, spec.banned_phrases)
    ]
    # Most removals first, then the longest: a phrase inside (or around) one already chosen
    # is the same finding.
    candidates.sort(key=lambda g: (-len(removed[g]), -len(g.split()), g))
    chosen: list[str] = []
    for g in candidates:
        if any(_inside(g, c) or _inside(c, g) for c in chosen):
            continue
        chosen.append(g)
    chosen = _merge(chosen, removed, contained, edits)
    out = []
    for g in chosen:
        es = removed[g]
        shown = _original(g, es[0].before_body)
        n, had = len(es), contained[g]
        out.append(
            Finding(
                kind="banned_phrase",
                key=f"banned_phrase:{g}",
                summary=f'Ban the phrase "{shown}": AMs removed it in {n} of {had} edits',
                change=Change("add", ("banned_phrases",), shown),
                evidence={
                    "phrase": g,
                    "removed": n,
                    "edits_with_phrase": had,
                    "drafts": [e.draft_id for e in es],
                    "lines": [
                        f"removed in {n} of the {had} edited drafts that had it",
                        *(
                            f"draft {e.draft_id}: {_around(e.before_body, g)}"
                            for e in es[:EXAMPLES]
                        ),
                    ],
                },
            )
        )
    return out


def _merge(
    chosen: list[str],
    removed: dict[str, list[Verdict]],
    contained: Counter[str],
    edits: list[Verdict],
) -> list[str]:
    """Overlapping phrases removed from the same drafts are one longer phrase ("I hope this
    email finds you" + "hope this email finds you well")."""
    out = list(chosen)
    while True:
        pair = next(
            (
                (a, b, m)
                for a in out
                for b in out
                if a != b
                and (m := _join(a, b))
                and {e.draft_id for e in removed[a]} == {e.draft_id for e in removed[b]}
                and all(_pattern(m).search(e.before_body) for e in removed[a])
            ),
            None,
        )
        if pair is None:
            return out
        a, b, m = pair
        removed[m] = removed[a]
        contained[m] = sum(1 for e in edits if _pattern(m).search(e.before_body))
        out = [x for x in out if x not in (a, b)] + [m]


def _join(a: str, b: str) -> str:
    wa, wb = a.split(), b.split()
    for k in range(min(len(wa), len(wb)) - 1, 0, -1):
        if wa[-k:] == wb[:k]:
            return " ".join(wa + wb[k:])
    return ""


def _ngrams(text: str, prospect: frozenset[str]) -> set[str]:
    out: set[str] = set()
    for piece in BREAK.split(text):
        words = [w.lower() for w in WORD.findall(piece)]
        for n in range(MIN_N, MAX_N + 1):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if prospect.isdisjoint(gram):
                    out.add(" ".join(gram))
    return out


def _prospect_words(v: Verdict) -> frozenset[str]:
    words = {w.lower() for text in (*v.prospect, v.account_name) for w in WORD.findall(text)}
    return frozenset(words - STOP)


def _inside(small: str, big: str) -> bool:
    return f" {small} " in f" {big} "


def _pattern(gram: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w'’-])" + r"\s+".join(map(re.escape, gram.split())) + r"(?![\w'’-])", re.I
    )


def _original(gram: str, text: str) -> str:
    """The phrase as the draft wrote it (its capitals), on one line."""
    hit = _pattern(gram).search(text)
    return " ".join(hit.group(0).split()) if hit else gram


def _around(text: str, gram: str, width: int = 40) -> str:
    hit = _pattern(gram).search(text)
    if hit is None:
        return gram
    start, end = max(hit.start() - width, 0), min(hit.end() + width, len(text))
    lead, trail = ("…" if start else ""), ("…" if end < len(text) else "")
    return lead + " ".join(text[start:end].split()) + trail


# --- recurring rewrites


def recurring_rewrites(edits: list[Verdict], spec: AgentSpec) -> list[Finding]:
    seen: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
    shown: dict[tuple[str, str], tuple[str, str]] = {}  # as first written (capitals)
    for e in edits:
        prospect = _prospect_words(e)
        a_raw, b_raw = WORD.findall(e.before_body), WORD.findall(e.after_body)
        a, b = [w.lower() for w in a_raw], [w.lower() for w in b_raw]
        pairs = set()
        for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op != "replace" or i2 - i1 > MAX_SPAN or j2 - j1 > MAX_SPAN:
                continue
            if not prospect.isdisjoint(a[i1:i2] + b[j1:j2]):
                continue  # a corrected fact about this prospect, not a habit
            pair = (" ".join(a[i1:i2]), " ".join(b[j1:j2]))
            pairs.add(pair)
            shown.setdefault(pair, (" ".join(a_raw[i1:i2]), " ".join(b_raw[j1:j2])))
        for pair in pairs:
            seen[pair].append(e)
    out = []
    for (old, new), es in sorted(seen.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(es) < MIN_EDITS or (set(old.split()) <= STOP and set(new.split()) <= STOP):
            continue
        old_text, new_text = shown[(old, new)]
        line = f'Write "{new_text}", not "{old_text}".'
        out.append(
            Finding(
                kind="instruction",
                key=f"instruction:{old}->{new}",
                summary=f"Add the instruction {line} AMs made this change in {len(es)} edits",
                change=Change("append_line", (), line),
                evidence={
                    "from": old,
                    "to": new,
                    "edits": len(es),
                    "drafts": [e.draft_id for e in es],
                    "lines": [
                        f'"{old_text}" became "{new_text}" in {len(es)} edits',
                        *(
                            f"draft {e.draft_id}: {_around(e.before_body, old)} → "
                            f"{_around(e.after_body, new)}"
                            for e in es[:EXAMPLES]
                        ),
                    ],
                },
            )
        )
    return out


# --- a kill reason that dominates a play


def dominant_kills(verdicts: list[Verdict], spec: AgentSpec) -> list[Finding]:
    out: list[Finding] = []
    by_play: dict[str, list[Verdict]] = defaultdict(list)
    for v in _latest(verdicts):
        by_play[v.play_id].append(v)
    for play_id, vs in sorted(by_play.items()):
        kills = [v for v in vs if v.action == "kill"]
        if len(kills) < MIN_KILLS:
            continue
        reason, n = Counter(v.reason_code for v in kills).most_common(1)[0]
        if n / len(kills) < DOMINANT:
            continue
        hit = [v for v in kills if v.reason_code == reason]
        base = {
            "play": play_id,
            "reason": reason,
            "kills": len(kills),
            "with_reason": n,
            "drafts": [v.draft_id for v in hit],
        }
        head = f"{n} of {len(kills)} kills of play {play_id} were {reason.replace('_', ' ')}"
        found = None
        if reason == "wrong_account":
            found = _segment(play_id, hit, vs, spec, base, head) or _match_score(
                play_id, hit, _latest(verdicts), spec, base
            )
        elif reason == "bad_timing":
            found = _signal_age(play_id, hit, vs, spec, base, head)
        elif reason in ("off_brand", "factual_error"):
            found = _thresholds(play_id, hit, spec, base, head)
        if found is not None:
            out.append(found)
    # One min_match_score per file: the highest cut, which its own play's evidence supports.
    path = ("thresholds", "min_match_score")
    raises = [f for f in out if f.change.path == path]
    top = max(raises, key=lambda f: f.change.value) if raises else None
    return [f for f in out if f.change.path != path or f is top]


def _segment(play_id, hit, vs, spec, base, head) -> Finding | None:
    industries = Counter(v.industry for v in hit if v.industry)
    if not industries:
        return None
    industry, n = industries.most_common(1)[0]
    listed = [i for i in spec.segment.industries if i.lower() == industry.lower()]
    if n / len(hit) < DOMINANT or not listed or len(spec.segment.industries) < 2:
        return None  # spread over industries, or nothing to drop it from
    approved = sum(1 for v in vs if v.industry == industry and v.action in ("approve", "edit"))
    if approved >= n:
        return None  # the industry also brings as many drafts the AM sent
    examples = sorted({v.account_name or v.account_id for v in hit if v.industry == industry})
    return Finding(
        kind="segment",
        key=f"segment:industries:-{industry.lower()}",
        summary=f"Drop {industry} from the segment: {n} of {len(hit)} wrong-account kills of "
        f"play {play_id} were {industry} accounts",
        change=Change("remove", ("segment", "industries"), listed[0]),
        evidence={
            **base,
            "industry": industry,
            "in_industry": n,
            "approved_in_industry": approved,
            "lines": [
                head,
                f"{n} of those {len(hit)} were {industry} accounts; {approved} {industry} "
                "drafts were sent",
                "accounts: " + ", ".join(examples[: EXAMPLES * 2]),
            ],
        },
    )


def _match_score(
    play_id: str, hit: list[Verdict], latest: list[Verdict], spec: AgentSpec, base: dict
) -> Finding | None:
    """A kind of match the AM rejects in every industry (funding-only, say) shows as a low
    score: cut at the lowest 0.01 below which KILLS_BELOW of the kills fall, then up to just
    under the next sent draft (the same sent drafts lost, more kills caught)."""
    killed = sorted(v.match_score for v in hit if v.match_score is not None)
    # min_match_score is the agent's: every play's sent drafts say what it must keep.
    sent = sorted(
        v.match_score
        for v in latest
        if v.action in ("approve", "edit") and v.match_score is not None
    )
    if len(killed) < MIN_KILLS or len(sent) < MIN_SENT:
        return None
    lowest = _hundredths(killed[math.ceil(KILLS_BELOW * len(killed)) - 1]) + 1
    above = [s for s in sent if s >= lowest / 100]
    cut = max(lowest, _hundredths(above[0])) if above else lowest
    cut = min(cut, round(HIGHEST_MIN_MATCH * 100))
    value = cut / 100
    below = sum(1 for s in killed if s < value)
    lost = sum(1 for s in sent if s < value)
    current = spec.thresholds.min_match_score
    if below < KILLS_BELOW * len(killed) or lost > (1 - SENT_ABOVE) * len(sent):
        return None
    if value <= current:
        return None
    industries = Counter(v.industry for v in hit if v.industry)
    where = (
        f", across {len(industries)} industries"
        if len(industries) > 1
        else (f", all {next(iter(industries))}" if industries else "")
    )
    n, kills = base["with_reason"], base["kills"]
    summary = (
        f"{n} of {kills} kills of {play_id} were wrong account{where}; {below} of them matched "
        f"below {value:.2f}, where {lost} of {len(sent)} approved drafts did: raise "
        f"min_match_score from {current:.2f} to {value:.2f}"
    )
    return Finding(
        kind="threshold",
        # The target is in the key: a later, different cut is a new question; the same one,
        # dismissed, is never asked again.
        key=f"threshold:min_match_score:raise:{value:g}",
        summary=summary,
        change=Change("set", ("thresholds", "min_match_score"), value),
        evidence={
            **base,
            "threshold": "min_match_score",
            "from": current,
            "to": value,
            "industries": dict(industries),
            "below": below,
            "scored": len(killed),
            "sent": len(sent),
            "sent_below": lost,
            "lines": [
                f"{n} of {kills} kills of play {play_id} were wrong account{where}",
                f"wrong-account kills' match scores: {killed[0]:.2f}-{killed[-1]:.2f} "
                f"(median {median(killed):.2f}); {below} of {len(killed)} below {value:.2f}",
                f"the agent's approved and edited drafts: {sent[0]:.2f}-{sent[-1]:.2f} "
                f"(median {median(sent):.2f}); {lost} of {len(sent)} below {value:.2f}",
                "accounts matching less than min_match_score are dropped before drafting",
            ],
        },
    )


def _hundredths(x: float) -> int:
    return math.floor(round(x * 100, 6))


def _signal_age(play_id, hit, vs, spec, base, head) -> Finding | None:
    approved = [v.signal_age_days for v in vs if v.action in ("approve", "edit")]
    approved = [a for a in approved if a is not None]
    if len(approved) < MIN_EDITS:
        return None
    value = max(1, math.ceil(max(approved)))
    killed = [v.signal_age_days for v in hit if v.signal_age_days is not None]
    older = sum(1 for a in killed if a > value)
    if value >= spec.max_signal_age_days or older * 2 < len(hit):
        return None
    current = spec.max_signal_age_days
    return Finding(
        kind="threshold",
        key=f"threshold:max_signal_age_days:{current}",
        summary=f"Lower max_signal_age_days from {current} to {value}: {older} of {len(hit)} "
        f"bad-timing kills of play {play_id} came from older signals",
        change=Change("set", ("max_signal_age_days",), value),
        evidence={
            **base,
            "from": current,
            "to": value,
            "older": older,
            "lines": [
                head,
                f"the oldest signal in a sent draft was {max(approved):.0f} days old "
                f"({len(approved)} sent); {older} killed drafts had older signals",
                "killed drafts' signal ages: "
                + ", ".join(f"{a:.0f}d" for a in sorted(killed)[: EXAMPLES * 3]),
            ],
        },
    )


def _thresholds(play_id, hit, spec, base, head) -> Finding | None:
    """Review more of these drafts: raise the confidence bar above the killed drafts', or
    lower the personalization bar below theirs, whichever catches more of them."""
    t = spec.thresholds
    conf = min(0.95, _up(max(v.confidence for v in hit) + 0.01))
    pers = max(0.0, _down(min(v.personalization for v in hit) - 0.01))
    by_conf = sum(1 for v in hit if v.confidence < conf) if conf > t.confidence else 0
    by_pers = sum(1 for v in hit if v.personalization > pers) if pers < t.personalization else 0
    if not by_conf and not by_pers:
        return None
    if by_conf >= by_pers:
        name, current, value, caught = "confidence", t.confidence, conf, by_conf
        verb = "Raise"
    else:
        name, current, value, caught = "personalization", t.personalization, pers, by_pers
        verb = "Lower"
    return Finding(
        kind="threshold",
        key=f"threshold:{name}:{current:g}",
        summary=f"{verb} thresholds.{name} from {current:g} to {value:g}: {caught} of the "
        f"{len(hit)} {base['reason'].replace('_', ' ')} kills of play {play_id} would have "
        "gone to review whatever the agent's trust",
        change=Change("set", ("thresholds", name), value),
        evidence={
            **base,
            "threshold": name,
            "from": current,
            "to": value,
            "caught": caught,
            "lines": [
                head,
                f"killed drafts' confidence {median(v.confidence for v in hit):.2f} (median), "
                f"personalization {median(v.personalization for v in hit):.2f} (median)",
            ],
        },
    )


# --- a threshold whose holds the AMs keep overruling


@dataclass(frozen=True)
class _Hold:
    """How one threshold holds a draft, and which way relaxing it moves."""

    reason: str  # the gate's reason code
    name: str  # the field under `thresholds`
    label: str  # what the AM would call the reason
    lower: bool  # relaxing lowers it (confidence) or raises it (personalization)


HOLDS = (
    _Hold("low_confidence", "confidence", "low confidence", lower=True),
    _Hold("personalization", "personalization", "high personalization", lower=False),
)


def relaxed_holds(
    verdicts: list[Verdict], spec: AgentSpec, peers: Sequence[Verdict] = ()
) -> list[Finding]:
    """The agent's own holds, pooled with its peers' (the same AM deciding drafts of the same
    plays: one taste, one writer) once it has MIN_OWN_HOLDS of its own: an agent that sends
    most of its drafts unreviewed would take months to show MIN_HOLDS alone."""
    out = []
    latest, theirs = _latest(verdicts), _latest(list(peers))
    for hold in HOLDS:
        current = getattr(spec.thresholds, hold.name)
        net = spec.thresholds.second_check
        own = [v for v in latest if _held_only_by(v, hold, current, net)]
        pooled = [v for v in theirs if _held_only_by(v, hold, current, net)]
        if len(own) < MIN_OWN_HOLDS:
            continue
        found = _relax(hold, own, pooled, current, spec.thresholds.second_check > 0)
        if found is not None:
            out.append(found)
    return out


def _held_only_by(v: Verdict, hold: _Hold, current: float, net: float) -> bool:
    """Held for this threshold and nothing else that would still hold it, and held by the
    threshold as it stands now (a draft an earlier, stricter value held says nothing here).
    Nor would today's second check (at threshold `net`, 0 when off) hold it: a draft it would
    review anyway says nothing about relaxing this threshold, and a kill the check learned to
    see since is no longer a risk the threshold guards against."""
    if set(v.gate_reasons) - NOT_A_HOLD != {hold.reason}:
        return False
    if net > 0 and (v.second_check_now is None or v.second_check_now < net):
        return False
    score = getattr(v, hold.name)
    return score < current if hold.lower else score > current


def _relax(
    hold: _Hold, own: list[Verdict], pooled: list[Verdict], current: float, net: bool
) -> Finding | None:
    held = own + pooled
    if len(held) < MIN_HOLDS or any(v.action == "kill" for v in held):
        return None
    approved = [v for v in held if v.action == "approve"]
    if len(approved) < APPROVED_AS_IS * len(held):
        return None
    scores = [getattr(v, hold.name) for v in approved]
    if hold.lower:
        value = max(LOWEST_CONFIDENCE, _down(min(scores)))
        if value >= current:
            return None
        verb = "lower"
    else:
        value = min(HIGHEST_PERSONALIZATION, _up(max(scores)))
        if value <= current:
            return None
        verb = "raise"
    every = [getattr(v, hold.name) for v in held]
    n, edited = len(held), len(held) - len(approved)
    outcome = (
        "were all approved as is"
        if not edited
        else f"were approved: {len(approved)} as is, {edited} edited"
    )
    why = (
        "the second check still reviews what this AM would not send"
        if net
        else "the second check is off for this agent, so nothing else reviews them"
    )
    whose = (
        f" ({len(own)} of this agent's, {len(pooled)} of its peers': same AM, same plays)"
        if pooled
        else ""
    )
    summary = (
        f"{n} drafts held only for {hold.label}{whose} ({min(every):.2f}-{max(every):.2f}) "
        f"{outcome}, "
        f"none killed: {verb} the {hold.name} threshold from {current:.2f} to {value:.2f}; {why}."
    )
    passed = sum(1 for s in every if (s >= value if hold.lower else s <= value))
    return Finding(
        kind="threshold",
        # The target is in the key: a later, different value is a new question; the same one,
        # dismissed, is never asked again.
        key=f"threshold:{hold.name}:relax:{value:g}",
        summary=summary,
        change=Change("set", ("thresholds", hold.name), value),
        evidence={
            "threshold": hold.name,
            "reason": hold.reason,
            "from": current,
            "to": value,
            "held": n,
            "own": len(own),
            "approved": len(approved),
            "edited": edited,
            "killed": 0,
            "range": [min(every), max(every)],
            "drafts": [v.draft_id for v in held],
            "lines": [
                f"{n} drafts were held for {hold.label} alone{whose}: {len(approved)} approved "
                f"as is, {edited} edited, 0 killed",
                f"{hold.name} of those approved as is: {min(scores):.2f}-{max(scores):.2f}; "
                f"at {value:.2f}, {passed} of the {n} would not have been held",
                why[:1].upper() + why[1:],
            ],
        },
    )


def _up(x: float) -> float:
    return round(math.ceil(round(x * 20, 6)) / 20, 2)


def _down(x: float) -> float:
    return round(math.floor(round(x * 20, 6)) / 20, 2)


def _latest(verdicts: list[Verdict]) -> list[Verdict]:
    """One verdict per draft (a deferred draft comes back and is decided again): the last."""
    out: dict[int, Verdict] = {}
    for v in verdicts:
        if v.action in ("approve", "edit", "kill"):
            out[v.draft_id] = v  # callers pass them oldest first
    return list(out.values())


def _latest_edits(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in _latest(verdicts) if v.action == "edit" and v.before_body != v.after_body]
