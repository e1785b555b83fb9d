"""One-click unsubscribe (RFC 8058): signed tokens, the /u/<token> endpoint on the running
service, and the key every replica shares."""

from __future__ import annotations

import random
import string
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlmodel import select

from bot.logs import secrets_of
from bot.mail.outbound import unsubscribe
from bot.runtime import Runtime
from bot.settings import SettingsError, load_settings
from storage.models import AppSecret, AuditEvent, Suppression
from tests.conftest import make_settings

CONTACT, EMAIL, MASKED = (
    "c-acme-1",
    "priya.shah@acme-analytics.example",
    "pr***@acme-analytics.example",
)
OTHER = "c-acme-2"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
KEY = b"k" * 32


def token(service, contact_id: str = CONTACT) -> str:
    return unsubscribe.token_for(unsubscribe.key(service.rt), contact_id)


def suppression(service, email: str = EMAIL) -> Suppression | None:
    with service.rt.db.session() as s:
        return s.get(Suppression, email)


def audit_events(service, contact_id: str = CONTACT) -> list[AuditEvent]:
    with service.rt.db.session() as s:
        q = select(AuditEvent).where(
            AuditEvent.action == "unsubscribe", AuditEvent.subject == f"contact:{contact_id}"
        )
        return list(s.exec(q))


def assert_private(resp) -> None:
    assert resp.headers["Cache-Control"] == "no-store"
    assert "noindex" in resp.headers["X-Robots-Tag"]
    assert "set-cookie" not in resp.headers


# --- tokens -------------------------------------------------------------------------------


def test_token_roundtrip_and_shape():
    for contact_id in (CONTACT, "x", "contäct/ü 1", "a" * 200):
        tok = unsubscribe.token_for(KEY, contact_id)
        assert set(tok) <= set(string.ascii_letters + string.digits + "-_.")
        assert unsubscribe.verify(KEY, tok) == contact_id
    assert unsubscribe.token_for(KEY, CONTACT) == unsubscribe.token_for(KEY, CONTACT)


def test_a_token_names_one_contact_only():
    a, b = unsubscribe.token_for(KEY, CONTACT), unsubscribe.token_for(KEY, OTHER)
    assert unsubscribe.verify(KEY, a) == CONTACT and unsubscribe.verify(KEY, b) == OTHER
    # A's name with B's signature (and the reverse) is nobody.
    assert unsubscribe.verify(KEY, a.split(".")[0] + "." + b.split(".")[1]) is None
    assert unsubscribe.verify(KEY, b.split(".")[0] + "." + a.split(".")[1]) is None
    # Another key's tokens are not ours.
    assert unsubscribe.verify(b"z" * 32, a) is None


def test_tampered_tokens_are_rejected():
    good = unsubscribe.token_for(KEY, CONTACT)
    alphabet = string.ascii_letters + string.digits + "-_.=+/ "
    for i in range(len(good)):
        for ch in alphabet:
            bad = good[:i] + ch + good[i + 1 :]
            if bad != good:
                assert unsubscribe.verify(KEY, bad) is None, bad
    for bad in (good + "A", good[:-1], "." + good, good + ".", good.replace(".", "..")):
        assert unsubscribe.verify(KEY, bad) is None, bad


def test_verify_never_raises_on_garbage():
    rng = random.Random(8058)
    pools = [
        string.ascii_letters + string.digits + "-_.",
        string.printable,
        "".join(chr(c) for c in range(0x20, 0x250)) + "\x00\ud800",
    ]
    junk = ["", ".", "..", "a.b", "=.=", "\x00", "é.é", "AAAA.AAAA", "x" * 10_000 + ".y"]
    for _ in range(600):
        pool = rng.choice(pools)
        junk.append("".join(rng.choice(pool) for _ in range(rng.randint(0, 80))))
    junk += [None, b"bytes.token", 42]  # not even strings
    for tok in junk:
        assert unsubscribe.verify(KEY, tok) is None, repr(tok)  # type: ignore[arg-type]


# --- the key ------------------------------------------------------------------------------


def test_generated_key_is_made_once_and_shared(home, db_url):
    runtimes = [Runtime(make_settings(home, db_url)) for _ in range(6)]
    runtimes[0].db.upgrade()
    keys: list[bytes] = []
    start = threading.Barrier(len(runtimes))

    def read(rt: Runtime) -> None:
        start.wait()
        keys.append(unsubscribe.key(rt))

    threads = [threading.Thread(target=read, args=(rt,)) for rt in runtimes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(keys) == len(runtimes) and len(set(keys)) == 1
        assert len(keys[0]) >= 32
        with runtimes[0].db.session() as s:
            rows = list(s.exec(select(AppSecret)))
        assert [r.name for r in rows] == ["unsubscribe"]
        # A restart (a new Runtime) reads the same key; a token from one verifies on another.
        again = Runtime(make_settings(home, db_url))
        tok = unsubscribe.token_for(unsubscribe.key(runtimes[1]), CONTACT)
        assert unsubscribe.verify(unsubscribe.key(again), tok) == CONTACT
        again.db.dispose()
    finally:
        for rt in runtimes:
            rt.db.dispose()


def test_configured_secret_is_the_key(home, db_url):
    secret = "s3cret-" + "x" * 40
    rt = Runtime(make_settings(home, db_url, TWOLOOP_UNSUBSCRIBE_SECRET=secret))
    rt.db.upgrade()
    try:
        assert unsubscribe.key(rt) == secret.encode()
        tok = unsubscribe.links(rt, CONTACT, "dana@northwind.example").url.rsplit("/", 1)[1]
        assert unsubscribe.verify(secret.encode(), tok) == CONTACT
        with rt.db.session() as s:
            assert s.get(AppSecret, "unsubscribe") is None  # nothing generated
    finally:
        rt.db.dispose()
    assert secret in secrets_of(rt.settings)  # scrubbed from logs


def test_configured_secret_must_be_long(tmp_path):
    with pytest.raises(SettingsError, match="TWOLOOP_UNSUBSCRIBE_SECRET.*32"):
        load_settings(_env_file=None, TWOLOOP_HOME=tmp_path, TWOLOOP_UNSUBSCRIBE_SECRET="short")


# --- links for outgoing mail ----------------------------------------------------------------


def test_links_are_rfc8058_shaped(home, db_url):
    public = "https://twoloop.example.com/"
    rt = Runtime(make_settings(home, db_url, TWOLOOP_PUBLIC_URL=public))
    rt.db.upgrade()
    try:
        links = unsubscribe.links(rt, CONTACT, "Dana Cole <dana@Northwind.example>")
    finally:
        rt.db.dispose()
    tok = unsubscribe.token_for(unsubscribe.key(rt), CONTACT)
    assert links.url == f"https://twoloop.example.com/u/{tok}"
    assert links.mailto == f"mailto:unsubscribe@northwind.example?subject=unsubscribe%20{tok}"
    assert links.headers == {
        "List-Unsubscribe": f"<{links.url}>, <{links.mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert links.url in links.body_line and "nsubscribe" in links.body_line

    # The headers survive being sent, provided the policy does not fold them into
    # RFC 2047 encoded words (the default 78-column policy does, for the mailto).
    email = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    for name, value in links.headers.items():
        email[name] = value
    email.set_content("hello\n\n" + links.body_line + "\n")
    raw = email.as_bytes()
    assert b"=?" not in raw
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["List-Unsubscribe"] == links.headers["List-Unsubscribe"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_mask():
    assert unsubscribe.mask(EMAIL) == MASKED
    assert unsubscribe.mask("ab@x.example") == "a***@x.example"
    assert unsubscribe.mask("nobody") == "***"


# --- the endpoint -------------------------------------------------------------------------


def test_get_shows_a_confirmation_page_and_changes_nothing(service, http):
    tok = token(service)
    for _ in range(3):  # link scanners and previews fetch, sometimes repeatedly
        resp = http.get(f"/u/{tok}", headers={"Accept": BROWSER})
        assert resp.status_code == 200
        assert http.head(f"/u/{tok}").status_code == 200
    page = resp.text
    assert resp.headers["Content-Type"].startswith("text/html")
    assert_private(resp)
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert MASKED in page and EMAIL not in page
    assert '<form method="post">' in page
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page
    assert '<button type="submit">' in page and '<html lang="en">' in page
    for external in ("src=", "href=", "<script", "http://", "https://"):
        assert external not in page
    assert suppression(service) is None
    assert audit_events(service) == []


def test_one_click_post_unsubscribes_at_once_and_is_idempotent(service, http):
    tok = token(service)
    resp = http.post(f"/u/{tok}", data=ONE_CLICK)  # as a mail client sends it
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert MASKED in resp.text and "unsubscribed" in resp.text
    assert_private(resp)
    row = suppression(service)
    assert row is not None and row.reason == "unsubscribe"
    events = audit_events(service)
    assert len(events) == 1
    assert events[0].actor == f"contact:{CONTACT}" and events[0].detail == {"via": "one-click"}

    again = http.post(f"/u/{tok}", data=ONE_CLICK)
    assert again.status_code == 200 and again.text == resp.text
    assert len(audit_events(service)) == 1
    assert suppression(service).created_at == row.created_at
    # The page now says so, and still offers nothing to click.
    page = http.get(f"/u/{tok}")
    assert "already unsubscribed" in page.text and "<form" not in page.text
    assert suppression(service, "tom.reid@acme-analytics.example") is None  # only that one


def test_post_unsubscribes_whatever_the_body(service, http):
    tok = token(service)
    resp = http.post(
        f"/u/{tok}",
        content=b"--x\r\nContent-Disposition: form-data; name=List-Unsubscribe\r\n\r\nOne-Click",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert resp.status_code == 200 and suppression(service) is not None
    empty = http.post(f"/u/{token(service, OTHER)}")
    assert empty.status_code == 200
    assert suppression(service, "tom.reid@acme-analytics.example") is not None


def test_concurrent_posts_unsubscribe_once(service, http):
    tok = token(service)
    statuses: list[int] = []
    start = threading.Barrier(6)

    def post() -> None:
        start.wait()
        statuses.append(http.post(f"/u/{tok}", data=ONE_CLICK).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
    assert suppression(service) is not None
    assert len(audit_events(service)) == 1


def test_the_pages_button_unsubscribes(service, http):
    tok = token(service)
    resp = http.post(
        f"/u/{tok}",
        data={"List-Unsubscribe": "One-Click", "via": "page"},
        headers={"Accept": BROWSER},
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "You&#x27;re unsubscribed" in resp.text and MASKED in resp.text
    assert_private(resp)
    assert suppression(service).reason == "unsubscribe"
    assert [e.detail for e in audit_events(service)] == [{"via": "page"}]


def test_hooks_run_and_a_failing_one_does_not_undo_it(service, http):
    seen: list[str] = []

    def broken(rt, contact_id):
        raise RuntimeError("sequence store down")

    unsubscribe.HOOKS.extend([broken, lambda rt, contact_id: seen.append(contact_id)])
    try:
        assert http.post(f"/u/{token(service)}", data=ONE_CLICK).status_code == 200
    finally:
        del unsubscribe.HOOKS[-2:]
    assert seen == [CONTACT]
    assert suppression(service) is not None


@pytest.mark.parametrize(
    "bad",
    [
        "garbage",
        "Yy1hY21lLTE.AAAAAAAAAAAAAAAAAAAAAA",  # c-acme-1 with a made-up signature
        "%00",
        "a" * 2000,
    ],
)
def test_invalid_tokens_are_404_and_change_nothing(service, http, bad):
    page = http.get(f"/u/{bad}", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert "not valid" in page.text
    assert_private(page)
    post = http.post(f"/u/{bad}", data=ONE_CLICK)
    assert post.status_code == 404 and post.headers["Content-Type"].startswith("text/plain")
    assert "not valid" in post.text
    assert suppression(service) is None and audit_events(service) == []


def test_a_valid_token_for_a_deleted_contact_is_404(service, http):
    tok = token(service, "c-nobody")
    assert http.get(f"/u/{tok}").status_code == 404
    assert http.post(f"/u/{tok}", data=ONE_CLICK).status_code == 404
