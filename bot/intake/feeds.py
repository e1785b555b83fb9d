"""RSS and Atom feeds (company news, job posts) turned into signals by rules in `feeds.yml`.

Fetched with httpx using conditional requests (ETag / Last-Modified), parsed with
feedparser, and stored through the importer's signal path: the same validation, dedupe
(one signal per entry and kind) and graph edges as every other source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import feedparser
import httpx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.config.agents import SignalKind
from bot.config.frontmatter import FileError, load_yaml
from bot.intake.importer import ImportFailed, ingest_signals
from bot.runtime import Runtime
from bot.storable import storable
from storage import prospects

log = logging.getLogger(__name__)

USER_AGENT = "twoloop-feeds/1.0 (+https://github.com/twoloop)"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: SignalKind
    when: list[str] = Field(min_length=1)  # any of these phrases in the title or summary


class FeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://")
    account: str | None = None  # the feed is about one account (its careers page, its blog)
    account_by: Literal["link_domain"] | None = None  # or: the account whose domain is linked
    every_minutes: int = Field(60, ge=5)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_way_to_find_the_account(self) -> FeedSpec:
        if (self.account is None) == (self.account_by is None):
            raise ValueError("give exactly one of `account` or `account_by: link_domain`")
        return self


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feeds: list[FeedSpec] = []


def load_feeds(path: Path) -> list[FeedSpec]:
    return load_yaml(path, FeedsFile)[0].feeds if path.is_file() else []


@dataclass
class FeedResult:
    url: str
    status: str = "ok"  # ok | not modified | error | skipped
    entries: int = 0
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0  # entries no rule or no account matched
    error: str = ""


@dataclass
class FetchReport:
    feeds: list[FeedResult] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{r.url}: {r.status}"
            + (
                f", {r.entries} entries, {r.stored} new, {r.duplicates} seen, "
                f"{r.unmatched} unmatched"
                if r.status == "ok"
                else ""
            )
            + (f" ({r.error})" if r.error else "")
            for r in self.feeds
        ]


def fetch_due(
    rt: Runtime, *, force: bool = False, client: httpx.Client | None = None
) -> FetchReport:
    """Fetch every feed whose interval has passed (all of them with `force`)."""
    report = FetchReport()
    try:
        specs = load_feeds(rt.settings.home / "feeds.yml")
    except FileError as err:
        log.error("feeds.yml: %s", err)
        report.feeds.append(FeedResult(str(err.path), "error", error=str(err)))
        return report
    own = client is None
    client = client or httpx.Client(
        timeout=15, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
    try:
        for spec in specs:
            report.feeds.append(fetch_one(rt, client, spec, force))
    finally:
        if own:
            client.close()
    return report


def fetch_one(rt: Runtime, client: httpx.Client, spec: FeedSpec, force: bool) -> FeedResult:
    result = FeedResult(spec.url)
    now = rt.now()
    with rt.db.session() as s:
        state = prospects.feed_state(s, spec.url)
        due = state.checked_at is None or now - state.checked_at >= timedelta(
            minutes=spec.every_minutes
        )
        etag, modified = state.etag, state.last_modified
    if not (due or force):
        result.status = "skipped"
        return result
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        resp = client.get(spec.url, headers=headers)
        if resp.status_code == 304:
            result.status = "not modified"
        else:
            resp.raise_for_status()
            parsed = feedparser.parse(resp.content)
            if parsed.bozo and not parsed.entries:
                raise ValueError(f"not a feed ({type(parsed.bozo_exception).__name__})")
            items = to_signals(rt, spec, parsed, result)
            if items:
                counts = ingest_signals(rt.db, items, spec.url)
                result.stored = counts.get("signals", 0)
                result.duplicates = counts.get("duplicate signals", 0)
            etag = resp.headers.get("ETag", "")
            modified = resp.headers.get("Last-Modified", "")
    except (httpx.HTTPError, ValueError, ImportFailed) as exc:
        result.status, result.error = "error", f"{type(exc).__name__}: {exc}"[:300]
        log.warning("feed %s: %s", spec.url, result.error)
    with rt.db.session() as s:
        state = prospects.feed_state(s, spec.url)
        # Entries are cleaned by the importer; an error may quote the feed's own bytes.
        state.checked_at, state.last_error = now, storable(result.error)
        if result.status == "ok":
            state.etag, state.last_modified = etag, modified
            state.entries_seen += result.entries
        s.add(state)
    return result


def to_signals(
    rt: Runtime, spec: FeedSpec, parsed: feedparser.FeedParserDict, result: FeedResult
) -> list[dict]:
    """Feed entries -> signal rows, by the first matching rule; unmatched entries are counted."""
    entries = parsed.entries
    result.entries = len(entries)
    source = parsed.feed.get("title") or urlsplit(spec.url).hostname or spec.url
    domains: dict[str, str] = {}
    if spec.account_by == "link_domain":
        hosts = [_domain(e.get("link", "")) for e in entries]
        with rt.db.session() as s:
            domains = prospects.accounts_by_domain(s, [h for h in hosts if h])
    items = []
    for entry in entries:
        title = (entry.get("title") or "").strip()
        text = f"{title} {entry.get('summary', '')}".lower()
        rule = next((r for r in spec.rules if any(w.lower() in text for w in r.when)), None)
        account = spec.account or domains.get(_domain(entry.get("link", "")))
        if rule is None or account is None or not title:
            result.unmatched += 1
            continue
        ident = entry.get("id") or entry.get("link") or title
        items.append(
            {
                "account_id": account,
                "kind": rule.kind,
                "summary": title[:500],
                "detail": title[:200],
                "source": source[:200],
                "url": entry.get("link", ""),
                "observed_at": _when(entry) or rt.now(),
                "dedupe_key": f"feed|{rule.kind}|{ident}"[:500],
            }
        )
    return items


def _domain(link: str) -> str:
    host = (urlsplit(link).hostname or "").lower()
    return host.removeprefix("www.")


def _when(entry: feedparser.FeedParserDict) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")  # a UTC struct_time
    if not stamp:
        return None
    year, month, day, hour, minute, second = stamp[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
