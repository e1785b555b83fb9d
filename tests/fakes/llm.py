"""The real shapes of OpenAI Chat Completions responses and errors, for respx routes.

Bodies follow what api.openai.com returns (ids, `object`, `created`, `system_fingerprint`,
`choices[].message.{role, content, refusal, annotations}`, `logprobs`, `usage` with its
details), and errors follow its envelope: {"error": {"message", "type", "param", "code"}}.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

MODEL = "gpt-4o-mini"
_ids = itertools.count(1)


def draft_content(
    subject: str = "Your data team",
    body: str = "Hi Ana,\n\nSaw you are hiring data engineers.\n\nSam",
    claims: list[dict[str, Any]] | None = None,
    confidence: float = 0.82,
) -> dict[str, Any]:
    """The structured result the writer asks for (before JSON encoding)."""
    return {"subject": subject, "body": body, "claims": claims or [], "confidence": confidence}


def claim(text: str, *fact_ids: str) -> dict[str, Any]:
    return {"text": text, "fact_ids": list(fact_ids)}


def completion(
    content: str | dict[str, Any] | None,
    *,
    model: str = MODEL,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 412,
    completion_tokens: int = 96,
) -> dict[str, Any]:
    """A `chat.completion` object; a dict content is JSON-encoded as the API would send it."""
    if isinstance(content, dict):
        content = json.dumps(content)
    return {
        "id": f"chatcmpl-B{next(_ids):09d}fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": f"{model}-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_0ba0d124f1",
    }


def refusal(text: str = "I'm sorry, I can't help with that request.") -> dict[str, Any]:
    return completion(None, refusal=text)


def error_body(
    message: str, type: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "x-request-id": f"req_{next(_ids):032x}",
        "openai-processing-ms": "412",
        **(extra or {}),
    }


def ok(content: str | dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
    """200 with a completion; `content` defaults to a valid draft with no claims."""
    body = completion(draft_content() if content is None else content, **kwargs)
    return httpx.Response(200, json=body, headers=_headers())


def refused(text: str = "I'm sorry, I can't help with that request.") -> httpx.Response:
    """200 whose message is a refusal (structured outputs report it there, not as an error)."""
    return httpx.Response(200, json=refusal(text), headers=_headers())


def rate_limited(retry_after: str = "0") -> httpx.Response:
    return httpx.Response(
        429,
        json=error_body(
            f"Rate limit reached for {MODEL} in organization org-fake on tokens per min (TPM): "
            "Limit 200000, Used 199620, Requested 1432. Please try again in 315ms. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            "tokens",
            None,
            "rate_limit_exceeded",
        ),
        headers=_headers(
            {
                "retry-after": retry_after,
                "x-ratelimit-limit-tokens": "200000",
                "x-ratelimit-remaining-tokens": "380",
                "x-ratelimit-reset-tokens": "315ms",
            }
        ),
    )


def server_error(status: int = 500) -> httpx.Response:
    return httpx.Response(
        status,
        json=error_body(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
        ),
        headers=_headers(),
    )


# What llama-cpp-python's server answers to a json_schema response_format (it validates the
# request against its own model of the API, which knows only text and json_object).
FORMAT_REFUSED = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', "
    "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
)


def format_refused() -> httpx.Response:
    """A 500 that names the response format it could not take, as llama.cpp's server sends."""
    return httpx.Response(
        500, json=error_body(FORMAT_REFUSED, "internal_server_error"), headers=_headers()
    )


def bad_request(message: str = "Invalid schema for response_format 'draft'.") -> httpx.Response:
    return httpx.Response(
        400,
        json=error_body(message, "invalid_request_error", "response_format", None),
        headers=_headers(),
    )


def unauthorized(shown_key: str) -> httpx.Response:
    """401 as the API sends it; `shown_key` is what the message echoes (OpenAI masks it,
    some proxies do not)."""
    return httpx.Response(
        401,
        json=error_body(
            f"Incorrect API key provided: {shown_key}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            None,
            "invalid_api_key",
        ),
        headers=_headers(),
    )


def not_found(model: str) -> httpx.Response:
    return httpx.Response(
        404,
        json=error_body(
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            None,
            "model_not_found",
        ),
        headers=_headers(),
    )


class ModelServer:
    """A real OpenAI-compatible Chat Completions endpoint on loopback, for what respx cannot
    reach (`twoloop serve` processes, the HTTP front): each call's JSON body is kept, and the
    answer is `completion(content)` after `delay` seconds (both may change mid-test)."""

    def __init__(self, content: str | dict[str, Any] | None = None, delay: float = 0.0):
        self.content = content if content is not None else draft_content()
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.called = threading.Event()
        lock = threading.Lock()
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    model.requests.append(json.loads(raw or b"{}"))
                model.called.set()
                time.sleep(model.delay)
                body = json.dumps(completion(model.content)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
