"""Feeds -> signals against RSS and Atom documents served on loopback."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from bot.config.frontmatter import FileError
from bot.intake import feeds
from storage.models import Edge, FeedState, Signal

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbor careers</title><link>https://harbor-logistics.example</link>
<item><guid>job-1</guid><title>Senior Data Engineer (remote)</title>
<link>https://harbor-logistics.example/jobs/1</link><pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item>
<item><guid>job-2</guid><title>Office manager</title>
<link>https://harbor-logistics.example/jobs/2</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Fintech news</title><id>urn:news</id>
<updated>2026-11-20T10:00:00Z</updated>
<entry><id>urn:news:1</id><title>Bluefin Pay raises $60M Series C</title>
<link href="https://www.bluefin.example/press/series-c"/><updated>2026-11-19T10:00:00Z</updated>
<summary>The round will fund expansion.</summary></entry>
<entry><id>urn:news:2</id><title>Unknown Co raises seed</title>
<link href="https://unknown.example/news"/><updated>2026-11-19T10:00:00Z</updated></entry>
<entry><id>urn:news:3</id><title>Cobalt Health appoints Dana Ruiz as CISO</title>
<link href="https://cobalt-health.example/news/ciso"/><updated>2026-11-18T10:00:00Z</updated></entry>
</feed>"""


class FeedServer:
    def __init__(self):
        self.documents = {"/careers.rss": RSS, "/news.atom": ATOM, "/broken": "<html>nope"}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                body = server.documents.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = f'"{hash(body) & 0xFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def feed_server():
    srv = FeedServer()
    yield srv
    srv.httpd.shutdown()


def write_feeds(rt, server, extra=""):
    (rt.settings.home / "feeds.yml").write_text(f"""
feeds:
  - url: {server.url}/careers.rss
    account: harbor
    every_minutes: 60
    rules:
      - kind: hiring
        when: [engineer, analyst]
  - url: {server.url}/news.atom
    account_by: link_domain
    rules:
      - kind: funding
        when: [raises, series]
      - kind: leadership_change
        when: [appoints]
{extra}""")


def signals_from(rt, url_part):
    with rt.db.session() as s:
        return [x for x in s.exec(select(Signal)) if url_part in x.url]


def test_rss_and_atom_entries_become_signals_by_rule(rt, feed_server):
    write_feeds(rt, feed_server)
    report = feeds.fetch_due(rt)
    by_url = {r.url.rsplit("/", 1)[-1]: r for r in report.feeds}
    assert (
        by_url["careers.rss"].entries,
        by_url["careers.rss"].stored,
        by_url["careers.rss"].unmatched,
    ) == (2, 1, 1)
    assert (by_url["news.atom"].stored, by_url["news.atom"].unmatched) == (2, 1)
    [job] = signals_from(rt, "harbor-logistics.example/jobs/")
    assert (job.account_id, job.kind, job.summary) == (
        "harbor",
        "hiring",
        "Senior Data Engineer (remote)",
    )
    assert job.observed_at.isoformat().startswith("2026-11-20T08:00")
    [funding] = signals_from(rt, "bluefin.example/press")
    assert (funding.account_id, funding.kind) == ("bluefin", "funding")
    [ciso] = signals_from(rt, "cobalt-health.example/news")
    assert ciso.kind == "leadership_change"
    with rt.db.session() as s:
        edge = s.exec(
            select(Edge).where(Edge.src == "account:harbor", Edge.rel == "hiring_for")
        ).first()
    assert edge is not None and edge.dst == "role:data-engineer"


def test_refetch_is_conditional_and_idempotent(rt, feed_server):
    write_feeds(rt, feed_server)
    feeds.fetch_due(rt)
    assert feeds.fetch_due(rt).feeds[0].status == "skipped"  # within every_minutes
    later = rt.now() + timedelta(hours=2)
    rt.clock = lambda: later
    second = feeds.fetch_due(rt)
    assert {r.status for r in second.feeds} == {"not modified"}
    assert feed_server.requests[-1][1].get("If-None-Match")
    feed_server.documents["/careers.rss"] = RSS.replace("Office manager", "Analyst, revenue")
    later2 = later + timedelta(hours=2)
    rt.clock = lambda: later2
    third = feeds.fetch_due(rt)
    careers = third.feeds[0]
    assert (careers.status, careers.stored, careers.duplicates) == ("ok", 1, 1)
    assert len(signals_from(rt, "harbor-logistics.example/jobs/")) == 2


def test_broken_and_missing_feeds_are_reported_not_fatal(rt, feed_server):
    (rt.settings.home / "feeds.yml").write_text(f"""
feeds:
  - url: {feed_server.url}/broken
    account: harbor
    rules: [{{kind: hiring, when: [x]}}]
  - url: {feed_server.url}/missing
    account: harbor
    rules: [{{kind: hiring, when: [x]}}]
  - url: {feed_server.url}/careers.rss
    account: harbor
    rules: [{{kind: hiring, when: [engineer]}}]
""")
    report = feeds.fetch_due(rt)
    assert [r.status for r in report.feeds] == ["error", "error", "ok"]
    assert "404" in report.feeds[1].error
    with rt.db.session() as s:
        assert s.get(FeedState, f"{feed_server.url}/missing").last_error


def test_feeds_file_errors_name_line_and_field(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text(
        "feeds:\n  - url: https://x.example/a.rss\n    account: a\n"
        "    rules:\n      - kind: gossip\n        when: [x]\n"
    )
    with pytest.raises(FileError) as err:
        feeds.load_feeds(path)
    assert (err.value.line, err.value.field) == (5, "feeds.0.rules.0.kind")
    path.write_text(
        "feeds:\n  - url: https://x.example/a.rss\n    rules: [{kind: hiring, when: [x]}]\n"
    )
    with pytest.raises(FileError, match="exactly one of"):
        feeds.load_feeds(path)
