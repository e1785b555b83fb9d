"""Training the second check (bot/core/second_check.py) from the AMs' verdicts.

Labels: "the AM would send this as is". An approval is 1; an edit is 0 and so is every
kill, whatever its reason (an off-brand or factual-error kill, and every edit, say the words
were wrong even when the target was right). Defers and expired reviews are no verdict.

Beside it, on the same features, "the AM would kill this": a draft the AM would edit still
goes out, one they would kill is their time spent on nothing. It is kept only when it beats
the kill rate alone on the newest verdicts, since the gate then skips what it predicts.

Training never runs inside a decision's transaction, so it never slows or fails a click: the
work process retrains every TWOLOOP_SECOND_CHECK_MINUTES when new verdicts came in, and a
tick retrains first when the newest model misses verdicts (`current`), so no tick scores with
a model that has not seen yesterday's clicks. Reads and writes are two short transactions;
the fit runs between them, holding none.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from dataclasses import dataclass

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sqlmodel import Session

from bot.config.agents import AgentSpec
from bot.core.second_check import (
    Current,
    augment,
    edit_history,
    envelope,
    kill_label,
    label,
    sigmoid,
    title_counts,
)
from bot.memory import owners
from bot.runtime import Runtime
from storage import second_check as store
from storage.models import Account, SecondCheckModel

log = logging.getLogger(__name__)

WINDOW = 20_000  # newest verdicts trained on: old taste fades, training time stays bounded
KEEP = 5  # trained models kept (the newest scores; the rest show how it moved)
RECENT = 50  # an agent's newest verdicts its edit history is read from
HOLDOUT = 0.2  # newest share of the verdicts the metrics are measured on
MIN_HOLDOUT = 5
# Inverse L2 strengths tried: how far evidence may move a weight (an agent's own copy too).
# A clear taste learned from 60 clicks wants a weak penalty, faint signals in 10,000 noisy
# ones a strong one; the newest verdicts before the holdout choose (`choose_c`).
CS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DEFAULT_C = 1.0  # too few verdicts to choose with
# Share of the base rate's Brier score a kill model must take off. Small on purpose: the
# holdout holds only drafts that reached a person, and the kills the model keeps away are
# the easy ones, so a good model looks worse there than it is (seen in
# benchmarks/operator_load.py: 4% on a day its predictions were right); a model fitted to
# noise takes off a fraction of a percent and predicts near the base rate, so skips nothing.
MIN_SKILL = 0.02
_training = threading.Lock()  # one fit at a time per process: ticking agents share its result


@dataclass(frozen=True)
class Fit:
    intercept: float
    coef: dict[str, float]


def train(rt: Runtime, *, force: bool = False) -> SecondCheckModel | None:
    """Train on the newest verdicts and store the model; the newest stored one when no
    verdict came in since it was trained (unless `force`); None under the minimum."""
    with _training:
        with rt.db.session() as s:
            last = store.latest(s)
            fresh = last is not None and store.newest_verdict_id(s) <= last.through_decision_id
            if fresh and not force:
                return last
            rows = store.verdicts(s, limit=WINDOW)
        if len(rows) < rt.settings.second_check_min_decisions:
            return None
        xs = [_augmented(r.features) for r in rows]
        ys = [label(r.action) or 0 for r in rows]
        split = len(ys) - holdout_size(len(ys))
        c = choose_c(xs[:split], ys[:split])
        fitted = fit(xs, ys, c)
        counts = {
            "agents": dict(Counter(str(r.features.get("agent", "")) for r in rows)),
            "ams": dict(Counter(str(r.features.get("am", "")) for r in rows)),
        }
        model = {
            "intercept": fitted.intercept,
            "coef": fitted.coef,
            "decisions": len(rows),
            "counts": counts,
            "titles": title_counts(
                (str(r.features.get("am", "")), r.features.get("x", {}), y)
                for r, y in zip(rows, ys, strict=True)
            ),
            "seen": envelope(
                (str(r.features.get("am", "")), r.features.get("x", {}), r.action) for r in rows
            ),
        }
        measured = metrics(xs, ys, c)
        kills = [kill_label(r.action) or 0 for r in rows]
        kill_c = choose_c(xs[:split], kills[:split])
        measured["kill"] = metrics(xs, kills, kill_c)
        if beats_base(measured["kill"]):
            killed = fit(xs, kills, kill_c)
            model["kill"] = {"intercept": killed.intercept, "coef": killed.coef}
        row = SecondCheckModel(
            trained_at=rt.now(),
            decisions=len(rows),
            through_decision_id=rows[-1].decision_id,
            model=model,
            metrics=measured,
        )
        with rt.db.session() as s:
            store.save(s, row, KEEP)
        log.info(
            "second check trained on %d verdicts (through decision %d): %s",
            row.decisions,
            row.through_decision_id,
            row.metrics,
        )
        return row


def refresh(rt: Runtime) -> None:
    """The work process's job: retrain when new verdicts came in."""
    train(rt)


def current(rt: Runtime) -> Current:
    """The model a tick scores with, retrained first when verdicts came in since; a failed
    training falls back to the newest stored model (and is logged), never fails the tick."""
    try:
        row = train(rt)
    except Exception:
        log.exception("training the second check failed; scoring with the last model")
        with rt.db.session() as s:
            row = store.latest(s)
    if row is not None:
        return Current(row.model)
    with rt.db.session() as s:
        so_far = store.verdict_count(s)
    return Current(None, so_far, rt.settings.second_check_min_decisions)


def edits(s: Session, agent_id: str) -> tuple[float, float]:
    """The agent's edit history: share of its recent verdicts that were edits, mean size."""
    return edit_history(store.recent_verdicts(s, agent_id, RECENT))


def deciding_am(rt: Runtime, s: Session, spec: AgentSpec, account: Account) -> str:
    """Whose taste a draft is judged by: the account's owner AM when they decide its
    reviews (bot/memory/owners.py), else the agent's owner. Read from the cache only: no
    chat lookup inside the draft's transaction."""
    key = account.owner_am.strip()
    if key and rt.relationship_policy(spec).review_by == "account_owner":
        am = owners.manager(rt, s, key, rt.now(), ask=False)
        if am.status == owners.ACTIVE:
            return am.user_id
    return spec.owner


def _augmented(stored: dict) -> dict[str, float]:
    return augment(stored.get("x", {}), str(stored.get("agent", "")), str(stored.get("am", "")))


def fit(xs: list[dict[str, float]], ys: list[int], c: float = DEFAULT_C) -> Fit:
    """L2 logistic regression; with one class only, just the smoothed approval rate."""
    if len(set(ys)) < 2:
        rate = (sum(ys) + 1) / (len(ys) + 2)
        return Fit(round(math.log(rate / (1 - rate)), 6), {})
    vec = DictVectorizer(sparse=True)
    m = LogisticRegression(C=c, max_iter=2000)
    m.fit(vec.fit_transform(xs), ys)
    names = vec.get_feature_names_out()
    coef = {str(n): round(float(w), 6) for n, w in zip(names, m.coef_[0], strict=True)}
    return Fit(round(float(m.intercept_[0]), 6), {n: w for n, w in coef.items() if w != 0.0})


def holdout_size(n: int) -> int:
    return max(MIN_HOLDOUT, round(n * HOLDOUT))


def choose_c(xs: list[dict[str, float]], ys: list[int]) -> float:
    """The L2 strength whose model, trained on the older verdicts, best predicts (log loss)
    the newest 20% of these. Walked from strong to weak, each fit starting from the last."""
    split = len(ys) - holdout_size(len(ys))
    if split < 10 or len(set(ys[:split])) < 2:
        return DEFAULT_C
    vec = DictVectorizer(sparse=True)
    train_x, val_x = vec.fit_transform(xs[:split]), vec.transform(xs[split:])
    m = LogisticRegression(max_iter=2000, warm_start=True)
    best = (math.inf, DEFAULT_C)
    for c in CS:
        m.set_params(C=c).fit(train_x, ys[:split])
        loss = log_loss(ys[split:], m.predict_proba(val_x)[:, 1], labels=[0, 1])
        best = min(best, (round(float(loss), 6), c))
    return best[1]


def beats_base(m: dict) -> bool:
    """Whether a model predicted its holdout clearly better than the base rate alone (a
    Brier skill score of at least MIN_SKILL): only then may its kill predictions keep a draft
    from being written. Noise beats the base rate by a hair. Log loss is not asked: the
    holdout holds only what reached a person, so the predicted kills the model already
    keeps away are missing from it, and a few confident misses there swing log loss."""
    return (
        m.get("holdout", 0) > 0
        and m["base_brier"] > 0  # a holdout of one class says nothing about telling them apart
        and m["brier"] <= (1 - MIN_SKILL) * m["base_brier"]
    )


def predict(f: Fit, x: dict[str, float]) -> float:
    return sigmoid(f.intercept + sum(f.coef.get(k, 0.0) * v for k, v in x.items()))


def metrics(xs: list[dict[str, float]], ys: list[int], c: float = DEFAULT_C) -> dict:
    """Brier score and log loss on a time-ordered holdout: trained on the older 80%, scored
    on the newest 20%, as the model would have met them (`c` was chosen without them). Next
    to them the same for the approval rate alone, the bar the model has to beat."""
    n_hold = holdout_size(len(ys))
    if len(ys) - n_hold < 2:
        return {"holdout": 0, "c": c}
    split = len(ys) - n_hold
    early = fit(xs[:split], ys[:split], c)
    ps = [predict(early, x) for x in xs[split:]]
    rate = (sum(ys[:split]) + 1) / (split + 2)
    held = ys[split:]
    return {
        "holdout": n_hold,
        "brier": round(float(brier_score_loss(held, ps)), 4),
        "log_loss": round(float(log_loss(held, ps, labels=[0, 1])), 4),
        "base_brier": round(float(brier_score_loss(held, [rate] * n_hold)), 4),
        "base_log_loss": round(float(log_loss(held, [rate] * n_hold, labels=[0, 1])), 4),
        "approve_rate": round(sum(ys) / len(ys), 4),
        "c": c,
    }
