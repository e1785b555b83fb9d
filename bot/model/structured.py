"""Structured output from whatever OpenAI-compatible server people run.

Servers differ in what they accept: OpenAI and vLLM take strict `json_schema`; llama.cpp's
Python server answers 500 to it but takes `json_object` with a schema (a grammar); some take
neither and only read the prompt. So a request tries, in order:

1. `json_schema`, strict;
2. `json_object`, with the schema beside it and in the prompt;
3. plain JSON asked for in the prompt.

A mode counts as refused when the server answers it with 400, 422 or 501, or with a 500 whose
message names the response format, schema or grammar (llama.cpp's way of saying no); a
timeout, 429, any other 5xx or a dropped connection is the server being unavailable, never a
refusal. The first mode that answers is remembered per endpoint (base URL and model), in this
process and through `ModeStore`, so a restart or another replica does not probe again. When the
remembered mode is refused later (another server behind the same address), the modes are
tried again; if none answers, the old one stays.

Whatever mode answered, the text is validated by the caller's parser. Output that does not
validate (malformed JSON, a value outside the schema's list) gets one repair attempt, the parser's
complaint sent back; a second failure is no answer. Nothing unvalidated ever reaches a caller.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from bot.model import pacing, redact

log = logging.getLogger(__name__)

T = TypeVar("T")

MODES = ("json_schema", "json_object", "prompt")
REFUSED = (400, 422, 501)  # how servers say "not this response_format"
# ...and a 500 only when it says what it could not take (llama-cpp-python answers 500 to a
# json_schema response_format); any other 500 is a broken server, to wait for.
FORMAT_WORDS = re.compile(r"response_format|json_schema|json schema|schema|grammar", re.I)
UNAVAILABLE = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
)
TRANSIENT = (408, 409)  # retryable statuses (bot/model/pacing.py), still failing after retries
MAX_ECHO = 4000  # characters of a bad answer sent back in the repair request
# A call's worst case in tokens, for pacing and budgets: the prompt at ~3 characters a token,
# plus the answer's cap (or this, when no cap is set).
CHARS_PER_TOKEN = 3
ANSWER_TOKENS = 1024


class Unusable(ValueError):
    """A parser's verdict on model output it will not use; the message says why."""


class ModeStore(Protocol):
    """Where learned modes persist (the database, in the running app)."""

    def load(self) -> dict[str, str]: ...

    def save(self, endpoint: str, mode: str, detail: str) -> None: ...


class Modes:
    """The mode each endpoint answers to: read from the store once, then kept in memory."""

    def __init__(self, store: ModeStore | None = None):
        self._store = store
        self._known: dict[str, str] | None = None
        self._lock = threading.Lock()

    def get(self, endpoint: str) -> str | None:
        with self._lock:
            if self._known is None:
                self._known = {}
                if self._store is not None:
                    try:
                        self._known.update(self._store.load())
                    except Exception:  # a missing table or a blip: probe again, no harm
                        log.exception("reading learned model modes failed")
            return self._known.get(endpoint)

    def put(self, endpoint: str, mode: str, detail: str) -> None:
        with self._lock:
            if self._known is None:
                self._known = {}
            if self._known.get(endpoint) == mode:
                return
            self._known[endpoint] = mode
        if mode != MODES[0] or detail:
            log.info("model endpoint %s answers in %s mode (%s)", endpoint, mode, detail)
        if self._store is not None:
            try:
                self._store.save(endpoint, mode, detail)
            except Exception:  # remembered in this process; the next one probes again
                log.exception("saving the learned model mode failed")


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A validated value, or why there is none: `wait` (try later) or `problem` (look).
    `mode` is the mode that answered; empty when no request got an answer (an API error)."""

    value: T | None
    tokens: int = 0
    mode: str = ""
    problem: str = ""
    wait: str = ""
    refusal: str = ""


class _ModeRefused(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(f"{status} {text}")
        self.status = status


class StructuredClient:
    """One model on one OpenAI-compatible endpoint, asked for JSON matching a schema."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        modes: Modes | None = None,
        *,
        max_completion_tokens: int | None = None,
        pacer: pacing.Pacer | None = None,
    ):
        self.client = client
        self.model = model
        self.modes = modes or Modes()
        self.max_completion_tokens = max_completion_tokens
        # The pacer retries (it must see every 429), so the SDK does not; the client's
        # max_retries says how often.
        self.pacer = pacer or pacing.for_endpoint(str(client.base_url))
        self.retries = client.max_retries
        self._raw = client.with_options(max_retries=0)
        # Logged and stored: the base URL without credentials or a query that may hold a key.
        self.endpoint = f"{redact.endpoint(str(client.base_url))} {model}"
        # A proxy may echo the key in an error; texts kept in logs and the database must not.
        self._secrets = redact.secrets_of(client)

    def ask(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        parse: Callable[[str | None], T],
    ) -> Answer[T]:
        """The parsed answer. `parse` raises `Unusable` (or ValueError) on output it rejects."""
        known = self.modes.get(self.endpoint)
        if known in MODES:
            try:
                return self._answer(known, messages, schema, name, parse, probing=False)
            except _ModeRefused as exc:  # another server now answers at this address
                log.warning("model endpoint %s refused %s mode: %s", self.endpoint, known, exc)
        # A mode that answers replaces the remembered one; if none does, it stays.
        return self._probe(messages, schema, name, parse)

    def _probe(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        parse: Callable[[str | None], T],
    ) -> Answer[T]:
        """Each mode in turn until one answers; the one that does is remembered."""
        refusals: list[str] = []
        statuses: list[int] = []
        for mode in MODES:
            try:
                answer = self._answer(mode, messages, schema, name, parse, probing=True)
            except _ModeRefused as exc:
                refusals.append(f"{mode}: {exc}")
                statuses.append(exc.status)
                continue
            if answer.mode:  # an auth or model error (401, 404) says nothing about the mode
                self.modes.put(self.endpoint, mode, "; ".join(refusals))
            return answer
        detail = "; ".join(refusals)
        if any(status >= 500 for status in statuses):  # a broken server, not a choice of mode
            return Answer(None, wait=f"model unavailable: every mode failed ({detail})")
        return Answer(None, problem=f"the server refused every structured-output mode ({detail})")

    def _answer(
        self,
        mode: str,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        parse: Callable[[str | None], T],
        *,
        probing: bool,
    ) -> Answer[T]:
        sent = _with_schema(messages, schema) if mode != "json_schema" else list(messages)
        tokens = 0
        answered = ""  # the mode, once a request got an answer
        for attempt in range(2):  # the answer, then one repair
            try:
                completion = self._create(mode, sent, schema, name, probing=probing)
            except _ModeRefused:
                if attempt == 0:
                    raise
                return Answer(None, tokens, mode, problem="the repair request was refused")
            except UNAVAILABLE as exc:
                wait = f"model unavailable: {type(exc).__name__}"
                return Answer(None, tokens, answered, wait=wait)
            except openai.APIStatusError as exc:
                if exc.status_code in TRANSIENT:
                    wait = f"model unavailable: {type(exc).__name__}"
                    return Answer(None, tokens, answered, wait=wait)
                problem = f"model error {exc.status_code}: {self._status_text(exc)}"
                return Answer(None, tokens, answered, problem=problem)
            except openai.OpenAIError as exc:
                problem = f"model error: {type(exc).__name__}"
                return Answer(None, tokens, answered, problem=problem)
            probing = False  # the mode answered: a repair is an ordinary call
            answered = mode
            usage = getattr(completion, "usage", None)
            tokens += int(getattr(usage, "total_tokens", 0) or 0)
            choices = getattr(completion, "choices", None) or []
            if not choices:
                return Answer(None, tokens, mode, problem="no choices in the response")
            choice = choices[0]
            message = getattr(choice, "message", None)
            refusal = getattr(message, "refusal", None)
            if refusal:
                return Answer(None, tokens, mode, refusal=str(refusal))
            reason = getattr(choice, "finish_reason", None)
            if reason == "length":
                return Answer(None, tokens, mode, problem="cut off at the token limit")
            if reason == "content_filter":
                return Answer(None, tokens, mode, problem="withheld by the content filter")
            content = getattr(message, "content", None)
            try:
                return Answer(parse(content), tokens, mode)
            except ValueError as exc:
                why = str(exc) or "not valid"
                if attempt == 1:
                    return Answer(None, tokens, mode, problem=f"{why} (after one repair)")
                sent = [
                    *sent,
                    {"role": "assistant", "content": (content or "")[:MAX_ECHO]},
                    {
                        "role": "user",
                        "content": f"That answer cannot be used: {why}. Reply again with only "
                        "the corrected JSON object, matching the schema exactly.",
                    },
                ]
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def _create(
        self,
        mode: str,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        *,
        probing: bool,
    ) -> Any:
        params: dict[str, Any] = {"model": self.model, "messages": messages}
        if mode == "json_schema":
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema},
            }
        elif mode == "json_object":
            params["response_format"] = {"type": "json_object", "schema": schema}
        if self.max_completion_tokens:
            # OpenAI's name; servers without json_schema (llama.cpp, older Ollama) read the
            # older one, which OpenAI's reasoning models refuse, so it goes only to them.
            key = "max_completion_tokens" if mode == "json_schema" else "max_tokens"
            params[key] = self.max_completion_tokens
        try:
            raw = self.pacer.call(
                lambda: self._raw.chat.completions.with_raw_response.create(**params),
                cost=cost(messages, self.max_completion_tokens),
                retries=self.retries,
            )
            return raw.parse()
        except openai.APIStatusError as exc:
            text = self._status_text(exc)
            refused = exc.status_code in REFUSED or (
                exc.status_code == 500 and FORMAT_WORDS.search(text) is not None
            )
            if refused and (probing or mode != MODES[-1]):  # "prompt" sends no format
                raise _ModeRefused(exc.status_code, text) from None
            raise

    def _status_text(self, exc: openai.APIStatusError) -> str:
        return redact.redact(_status_text(exc), self._secrets)


def cost(messages: list[dict[str, str]], max_tokens: int | None) -> int:
    """A call's worst case in tokens: the prompt (estimated) and the longest answer."""
    chars = sum(len(str(m.get("content") or "")) for m in messages)
    return chars // CHARS_PER_TOKEN + (max_tokens or ANSWER_TOKENS)


def _with_schema(messages: list[dict[str, str]], schema: dict[str, Any]) -> list[dict[str, str]]:
    """The schema written into the system message, for servers that read only the prompt."""
    rule = (
        "Answer with one JSON object and nothing else (no prose, no code fence), matching this "
        "JSON Schema exactly:\n" + json.dumps(schema, separators=(",", ":"))
    )
    out = [dict(m) for m in messages]
    if out and out[0].get("role") == "system":
        out[0]["content"] = f"{out[0]['content']}\n\n{rule}"
    else:
        out.insert(0, {"role": "system", "content": rule})
    return out


def _status_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    text = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(text or exc.message).split())[:300]


M = TypeVar("M", bound=BaseModel)


def parse_json(content: str | None, model: type[M]) -> M:
    """Model output to a validated `model`, or `Unusable` saying why, for the repair request
    and the card. Tolerates a ```json fence, which some local servers add."""
    text = strip_fence(content)
    if not text:
        raise Unusable("empty content")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unusable(f"not JSON ({exc.msg} at char {exc.pos})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "result"
        raise Unusable(f"schema mismatch at {where}: {err['msg']}") from None


def strip_fence(content: str | None) -> str:
    """The JSON inside a ```json fence, which some local servers add; the text otherwise."""
    text = (content or "").strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    return text
