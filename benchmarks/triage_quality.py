"""Reply-triage quality on the labelled set (tests/data/replies.jsonl).

    .venv/bin/python benchmarks/triage_quality.py [--seed 7] [--audit-rate 0.1] [--errors]
    .venv/bin/python benchmarks/triage_quality.py --llm-base-url http://localhost:11434/v1 \\
        --llm-model qwen2.5:7b-instruct [--llm-api-key sk-...] [--workers 8] [--per-label 8]

Classifies every reply with the offline RuleClassifier (and, given --llm-base-url, with the
rules and the model combined), routes it with a sample drawn from a seeded RNG, and prints:

- per intent (human replies only): precision, recall, F1 and support;
- per escalation trigger: precision, recall and support;
- the two routing figures the issue sets as targets:
  * share of replies that need a person which are routed to review (target >= 99%);
  * share of auto-routed replies whose automatic handling is correct (target >= 98%):
    an auto-reply parked, a request to stop suppressed, a clear no closed, and only for
    replies labelled as not needing a person;
- false suppressions (target: none): replies suppressed whose label is not a request to stop
  (intent other than unsubscribe, and no "unsubscribe": true for a reply that asks to stop
  besides its intent). A suppression blocks every later mail, the owner's answer included;
- how many auto-replies the text alone recognises (a fallback when headers say nothing).

Runs in well under a second with the rules; the model adds one call per reply.
Exit status 1 when a routing target is missed or anything is falsely suppressed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.mail.text import looks_like_auto_reply  # noqa: E402
from bot.mail.triage.model import LLMClassifier  # noqa: E402
from bot.mail.triage.routing import combine, route  # noqa: E402
from bot.mail.triage.rules import RuleClassifier  # noqa: E402
from bot.mail.triage.vocabulary import (  # noqa: E402
    INTENTS,
    TRIGGERS,
    Classification,
    should_suppress,
)

DATA = ROOT / "tests" / "data" / "replies.jsonl"
TODAY = date(2025, 3, 10)  # fixed, so not-now dates and the run are reproducible
RECALL_TARGET = 0.99
AUTO_TARGET = 0.98


def load(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def gold_action(row: dict) -> str:
    """What correct automatic handling is for a reply that needs no person."""
    if row["kind"] == "auto_reply":
        return "park"
    if row["intent"] == "unsubscribe":
        return "suppress"
    if row["intent"] == "not_interested":
        return "close"
    return "none"


def predicted_action(kind: str, c: Classification | None) -> str:
    if kind == "auto_reply":
        return "park"
    if kind in ("bounce", "complaint"):
        return "suppress"
    if should_suppress(c):
        return "suppress"
    if c is not None and c.intent == "not_interested":
        return "close"
    return "none"


def wants_stop(row: dict) -> bool:
    """The label: a request to stop, as its intent or besides it."""
    return bool(row.get("unsubscribe", row["intent"] == "unsubscribe"))


def false_suppressions(rows: list[dict], results: list[Classification]) -> list[int]:
    """Replies suppressed whose label is not a request to stop."""
    return [
        i
        for i, (r, c) in enumerate(zip(rows, results, strict=True))
        if r["kind"] == "human" and should_suppress(c) and not wants_stop(r)
    ]


def evaluate(rows: list[dict], results: list[Classification], seed: int, audit_rate: float):
    rng = random.Random(seed)
    routed = []
    for row, c in zip(rows, results, strict=True):
        where, reason = route(row["kind"], c, sample=rng.random(), audit_rate=audit_rate)
        routed.append((where, reason))
    need = [i for i, r in enumerate(rows) if r["needs_person"]]
    to_review = [i for i in need if routed[i][0] == "review"]
    auto = [i for i, (where, _) in enumerate(routed) if where == "auto"]
    correct = [
        i
        for i in auto
        if not rows[i]["needs_person"]
        and predicted_action(rows[i]["kind"], results[i]) == gold_action(rows[i])
    ]
    return routed, need, to_review, auto, correct


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def classify_all(rows: list[dict], llm: LLMClassifier | None, workers: int):
    rules = RuleClassifier()
    started = time.perf_counter()
    base = [rules.classify(r["text"], r["subject"], today=TODAY) for r in rows]
    if llm is None:
        return base, time.perf_counter() - started, 0

    def one(row: dict) -> Classification | None:
        return llm.classify(row["text"], row["subject"], today=TODAY)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        model = list(pool.map(one, rows))
    failed = sum(1 for m in model if m is None)
    results = [combine(b, m) for b, m in zip(base, model, strict=True)]
    return results, time.perf_counter() - started, failed


def report(rows, results, seed, audit_rate, show_errors: bool) -> bool:
    human = [(r, c) for r, c in zip(rows, results, strict=True) if r["kind"] == "human"]
    print(f"\nintents ({len(human)} human replies)")
    print(f"  {'intent':<16}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    macro = []
    for intent in INTENTS:
        tp = sum(1 for r, c in human if r["intent"] == intent and c.intent == intent)
        fp = sum(1 for r, c in human if r["intent"] != intent and c.intent == intent)
        fn = sum(1 for r, c in human if r["intent"] == intent and c.intent != intent)
        p, rc, f = prf(tp, fp, fn)
        macro.append(f)
        print(f"  {intent:<16}{p:>10.2f}{rc:>8.2f}{f:>7.2f}{tp + fn:>9}")
    accuracy = sum(1 for r, c in human if r["intent"] == c.intent) / max(1, len(human))
    print(f"  accuracy {accuracy:.3f}, macro F1 {sum(macro) / len(macro):.3f}")

    print(f"\ntriggers (all {len(rows)} replies)")
    print(f"  {'trigger':<26}{'precision':>10}{'recall':>8}{'support':>9}{'flagged':>9}")
    for t in TRIGGERS:
        tp = sum(
            1 for r, c in zip(rows, results, strict=True) if t in r["triggers"] and t in c.triggers
        )
        fp = sum(
            1
            for r, c in zip(rows, results, strict=True)
            if t not in r["triggers"] and t in c.triggers
        )
        fn = sum(
            1
            for r, c in zip(rows, results, strict=True)
            if t in r["triggers"] and t not in c.triggers
        )
        p, rc, _ = prf(tp, fp, fn)
        print(f"  {t:<26}{p:>10.2f}{rc:>8.2f}{tp + fn:>9}{tp + fp:>9}")

    routed, need, to_review, auto, correct = evaluate(rows, results, seed, audit_rate)
    recall = len(to_review) / max(1, len(need))
    precision = len(correct) / max(1, len(auto))
    auto_ok = [r for r in rows if not r["needs_person"]]
    print(f"\nrouting (seed {seed}, audit sample {audit_rate:.0%})")
    print(
        f"  needs a person -> review: {len(to_review)}/{len(need)} = {recall:.1%} "
        f"(target >= {RECALL_TARGET:.0%}) {'OK' if recall >= RECALL_TARGET else 'MISSED'}"
    )
    print(
        f"  auto-handled correctly:   {len(correct)}/{len(auto)} = {precision:.1%} "
        f"(target >= {AUTO_TARGET:.0%}) {'OK' if precision >= AUTO_TARGET else 'MISSED'}"
    )
    print(
        f"  automation: {len(auto)}/{len(rows)} replies handled without a person; "
        f"{len(auto)}/{len(auto_ok)} of those that could be"
    )
    by = Counter(predicted_action(rows[i]["kind"], results[i]) for i in auto)
    print("  automatic actions: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())))
    autos = [r for r in rows if r["kind"] == "auto_reply"]
    seen = sum(1 for r in autos if looks_like_auto_reply(r["text"], r["subject"]))
    print(f"  auto-replies recognised from the text alone: {seen}/{len(autos)}")
    false_stops = false_suppressions(rows, results)
    print(
        f"  false suppressions (label is not a request to stop): {len(false_stops)} "
        f"(target 0) {'OK' if not false_stops else 'MISSED'}"
    )
    for i in false_stops:
        c = results[i]
        text = " ".join(rows[i]["text"].split())[:70]
        print(f"    {rows[i]['id']}: label {rows[i]['intent']}, read {c.intent} | {text}")

    if show_errors:
        print("\nmisses")
        for i, (r, c) in enumerate(zip(rows, results, strict=True)):
            wrong = []
            if r["kind"] == "human" and r["intent"] != c.intent:
                wrong.append(f"intent {c.intent} ({c.confidence:.2f}) want {r['intent']}")
            if set(r["triggers"]) != set(c.triggers):
                wrong.append(f"triggers {list(c.triggers)} want {r['triggers']}")
            if r["needs_person"] and routed[i][0] == "auto":
                wrong.append("ROUTED AUTO BUT NEEDS A PERSON")
            if routed[i][0] == "auto" and i not in correct:
                wrong.append("WRONG AUTOMATIC HANDLING")
            if wrong:
                text = " ".join(r["text"].split())[:70]
                print(f"  {r['id']}: {'; '.join(wrong)} | {text}")
    return recall >= RECALL_TARGET and precision >= AUTO_TARGET and not false_stops


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--audit-rate", type=float, default=0.1)
    ap.add_argument("--errors", action="store_true", help="list every miss")
    ap.add_argument("--llm-base-url", help="an OpenAI-compatible endpoint ending in /v1")
    ap.add_argument("--llm-model", default=os.environ.get("OPENAI_MODEL", "gpt-4o-mini"))
    ap.add_argument("--llm-api-key", default=os.environ.get("OPENAI_API_KEY"))
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--llm-timeout", type=float, default=60, help="seconds per model call")
    ap.add_argument(
        "--per-label",
        type=int,
        default=0,
        help="only the first N replies of each label (a small local model is slow)",
    )
    args = ap.parse_args()

    rows = load(args.data)
    if args.per_label:
        seen: Counter[str] = Counter()
        picked = []
        for row in rows:
            label = row.get("intent") or row["kind"]
            if seen[label] < args.per_label:
                seen[label] += 1
                picked.append(row)
        rows = picked
    llm = None
    if args.llm_base_url:
        llm = LLMClassifier.from_settings(
            args.llm_api_key, args.llm_base_url, args.llm_model, timeout=args.llm_timeout
        )
    results, seconds, failed = classify_all(rows, llm, args.workers)
    humans = sum(1 for r in rows if r["kind"] == "human")
    print(
        f"{len(rows)} labelled replies ({humans} human, {len(rows) - humans} automatic) "
        f"from {args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data}"
    )
    mode = f"rules+{llm.provider}" if llm else "rules"
    extra = f"; {failed} model calls failed (rules stood)" if llm else ""
    print(f"classifier: {mode}; {seconds * 1000:.0f} ms for all{extra}")
    ok = report(rows, results, args.seed, args.audit_rate, args.errors)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
