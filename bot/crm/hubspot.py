"""HubSpot behind the `Crm` interface, with the official client (hubspot-api-client).

Incremental pulls use the CRM search API: a `GTE` filter on the last-modified property,
sorted ascending, paged with `after` (search stops at 10,000 results, so a long pull starts
over from the last time it read). Associations and deals come through the batch endpoints.
HubSpot's limits: a 429 waits what Retry-After (or the X-HubSpot-RateLimit interval) says,
bounded; 5xx and lost connections are retried a few times with backoff; the sleep is
injectable so tests take no time. A 401/403 is `CrmAuthError`, and no message carries the token.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import urllib3
from hubspot import Client  # type: ignore[import-untyped]
from hubspot.crm import companies as co  # type: ignore[import-untyped]
from hubspot.crm import contacts as ct  # type: ignore[import-untyped]
from hubspot.crm import deals as dl  # type: ignore[import-untyped]
from hubspot.crm import owners as ow  # type: ignore[import-untyped]
from hubspot.crm import pipelines as pl  # type: ignore[import-untyped]
from hubspot.crm.associations import v4 as av4  # type: ignore[import-untyped]
from hubspot.crm.objects import emails as em  # type: ignore[import-untyped]
from hubspot.crm.objects import notes as nt  # type: ignore[import-untyped]

from bot.crm.base import (
    Company,
    CompanyDeals,
    CrmAuthError,
    CrmError,
    Deal,
    Engagement,
    Logged,
    Owner,
    Page,
    Person,
    Who,
)

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://api.hubapi.com"
SEARCH_LIMIT = 10_000  # HubSpot's search answers at most this many results per query
# HubSpot-defined association type ids (developers.hubspot.com, associations v4).
EMAIL_TO_CONTACT, EMAIL_TO_COMPANY = 198, 186
NOTE_TO_CONTACT, NOTE_TO_COMPANY = 202, 190
CONTACT_TO_COMPANY = 279
CUSTOMER_STAGES = frozenset({"customer", "evangelist"})

COMPANY_PROPS = [
    "name",
    "domain",
    "lifecyclestage",
    "hubspot_owner_id",
    "industry",
    "numberofemployees",
    "country",
    "notes_last_contacted",
    "hs_last_sales_activity_timestamp",
    "hs_lastmodifieddate",
]
CONTACT_PROPS = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "associatedcompanyid",
    "notes_last_contacted",
    "hs_email_optout",
    "lastmodifieddate",
]
DEAL_PROPS = [
    "dealname",
    "dealstage",
    "pipeline",
    "hs_is_closed",
    "hs_is_closed_won",
    "hs_lastmodifieddate",
]
API_ERRORS: tuple[type[Exception], ...] = (
    co.ApiException,
    ct.ApiException,
    dl.ApiException,
    ow.ApiException,
    pl.ApiException,
    em.ApiException,
    nt.ApiException,
    av4.ApiException,
)
# A create answered with one of these was not taken, so it may be sent again; after a 500 or
# a read timeout it may have been, and a second one would log the same thing twice.
NOT_TAKEN = frozenset({429, 502, 503, 504})


def parse_time(raw: Any) -> datetime | None:
    """HubSpot's times: ISO 8601 ("2024-05-01T10:00:00.000Z") or epoch milliseconds."""
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    text = str(raw).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def millis(when: datetime) -> str:
    return str(int(when.timestamp() * 1000))


def domain_of(raw: str) -> str:
    """ "https://www.Acme.com/about" -> "acme.com"."""
    text = raw.strip().lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return text.removeprefix("www.")


def _truthy(raw: Any) -> bool:
    return str(raw).strip().lower() == "true"


def _headers(raw: Any) -> dict[str, str]:
    try:
        return {str(k).lower(): str(v) for k, v in (raw or {}).items()}
    except AttributeError:
        return {}


def _number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _body(exc: Exception) -> dict:
    raw = getattr(exc, "body", None)
    try:
        data = json.loads(raw) if raw else {}
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


NOT_JSON = object()  # what `_json_of` gives for a body that is not JSON (a proxy's page)


def _json_of(answer: Any) -> Any:
    """An unparsed answer's JSON (NOT_JSON when it is not). Its connection goes back to the
    pool once the body was read whole, and is closed when reading it failed: a half-read
    answer must neither hold a connection nor serve the next request."""
    try:
        raw = answer.data
    except BaseException:
        answer.close()
        raise
    finally:
        answer.release_conn()
    try:
        return json.loads(raw)
    except (TypeError, ValueError):  # no body, or not JSON
        return NOT_JSON


def _refusal(exc: Exception) -> str:
    """HubSpot's own words for a refusal: category and message, capped (never headers)."""
    body = _body(exc)
    words = " ".join(str(body.get(k, "")) for k in ("category", "message") if body.get(k))
    scopes = sorted(
        {
            str(scope)
            for err in body.get("errors") or []
            if isinstance(err, dict) and isinstance(err.get("context"), dict)
            for scope in err["context"].get("requiredGranularScopes") or []
        }
    )
    if scopes:
        words += f" (needs {', '.join(scopes)})"
    return (words or str(getattr(exc, "reason", "") or "no detail"))[:300]


class HubSpot:
    """The `Crm` for HubSpot. One instance per sync; it is not shared between threads."""

    name = "hubspot"

    def __init__(
        self,
        token: str,
        *,
        host: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = 5,
        max_wait: float = 60.0,
        timeout: float = 30.0,
        page_size: int = 100,
    ):
        # The client's own urllib3 retries are off: this class retries, and sees each failure.
        client = Client.create(
            access_token=token,
            host=(host or DEFAULT_HOST).rstrip("/"),
            retry=urllib3.Retry(total=0, redirect=0, raise_on_status=False),
        )
        crm = client.crm
        self.companies_search = crm.companies.search_api
        self.contacts_search = crm.contacts.search_api
        self.contacts_batch = crm.contacts.batch_api
        self.deals_search = crm.deals.search_api
        self.deals_batch = crm.deals.batch_api
        self.owners_api = crm.owners.owners_api
        self.pipelines_api = crm.pipelines.pipelines_api
        self.associations = crm.associations.v4.batch_api
        self.emails_batch = crm.objects.emails.batch_api
        self.notes_batch = crm.objects.notes.batch_api
        self.sleep, self.attempts, self.max_wait = sleep, attempts, max_wait
        self.timeout, self.page_size = timeout, page_size
        self.search_limit = SEARCH_LIMIT
        self.calls = 0  # requests sent, retries included
        self.waited = 0.0  # seconds slept for HubSpot's limits and retries
        self._stages: dict[str, tuple[str, bool, bool]] | None = None

    # -- the one way a request is made -------------------------------------------------

    def _call(
        self,
        what: str,
        fn: Callable[..., Any],
        *args: Any,
        create: bool = False,
        plain: bool = False,
        **kw: Any,
    ):
        """`fn` is a client `*_with_http_info` method. Returns its data, or with `plain` the
        answer's JSON as dicts (the client's models cost ~1 ms a record to build: a million
        records would spend minutes there); raises CrmError."""
        backoff = 1.0
        for attempt in range(1, self.attempts + 1):
            self.calls += 1
            last = attempt == self.attempts
            try:
                if plain:
                    answer = fn(*args, _request_timeout=self.timeout, _preload_content=False, **kw)
                    data, headers = _json_of(answer), answer.headers
                    if data is NOT_JSON:
                        if last or create:
                            raise CrmError(f"HubSpot's answer to {what} was not JSON")
                        self._wait(backoff, f"no JSON on {what}")
                        backoff = min(backoff * 2, 30.0)
                        continue
                else:
                    data, _status, headers = fn(*args, _request_timeout=self.timeout, **kw)
            except API_ERRORS as exc:
                status = int(getattr(exc, "status", 0) or 0)
                if status == 401:
                    raise CrmAuthError(
                        "HubSpot refused the access token (401): it is revoked or wrong; "
                        "set a valid HUBSPOT_ACCESS_TOKEN"
                    ) from None
                if status == 403:
                    raise CrmAuthError(
                        f"HubSpot refused {what} (403): {_refusal(exc)}; give the private app "
                        "the scopes the README lists"
                    ) from None
                if status == 429:
                    if _body(exc).get("policyName", "").upper() == "DAILY":
                        raise CrmError(
                            "HubSpot's daily API limit is used up; the next sync tries again"
                        ) from None
                    wait = self._retry_after(_headers(getattr(exc, "headers", None)), backoff)
                    if last or wait > self.max_wait:
                        raise CrmError(
                            f"HubSpot kept answering 429 (rate limit) to {what}"
                        ) from None
                    self._wait(wait, f"429 on {what}")
                    backoff = min(backoff * 2, 30.0)
                    continue
                retriable = status >= 500 and (not create or status in NOT_TAKEN)
                if not retriable or last:
                    raise CrmError(
                        f"HubSpot answered {status} to {what}: {_refusal(exc)}"
                    ) from None
                self._wait(backoff, f"{status} on {what}")
                backoff = min(backoff * 2, 30.0)
                continue
            except urllib3.exceptions.HTTPError as exc:
                reason = getattr(exc, "reason", None) or exc
                refused = isinstance(reason, urllib3.exceptions.NewConnectionError)
                if last or (create and not refused):
                    raise CrmError(
                        f"could not reach HubSpot for {what} ({type(reason).__name__})"
                    ) from None
                self._wait(backoff, f"{type(reason).__name__} on {what}")
                backoff = min(backoff * 2, 30.0)
                continue
            self._pace(_headers(headers))
            return data
        raise CrmError(f"HubSpot: {what} failed")  # not reached: the last attempt raises

    def _retry_after(self, headers: dict[str, str], backoff: float) -> float:
        after = _number(headers.get("retry-after"))
        if after is not None:
            return max(after, 0.0)
        interval = _number(headers.get("x-hubspot-ratelimit-interval-milliseconds"))
        if interval is not None and headers.get("x-hubspot-ratelimit-remaining") == "0":
            return interval / 1000
        return backoff

    def _pace(self, headers: dict[str, str]) -> None:
        """Out of requests in this window: wait it out rather than take a 429."""
        remaining = _number(headers.get("x-hubspot-ratelimit-remaining"))
        interval = _number(headers.get("x-hubspot-ratelimit-interval-milliseconds"))
        if remaining is not None and remaining <= 0 and interval:
            self._wait(min(interval / 1000, self.max_wait), "rate limit window used up")

    def _wait(self, seconds: float, why: str) -> None:
        log.info("hubspot: waiting %.1fs (%s)", seconds, why)
        self.waited += seconds
        self.sleep(seconds)

    # -- pulls ------------------------------------------------------------------------------

    def _search(
        self, kind: str, api: Any, mod: Any, prop: str, props: list[str], since: datetime | None
    ) -> Iterator[tuple[list[dict], datetime | None, int | None]]:
        """Pages of (records as plain dicts, latest modified time, about how many in all)."""
        lower, after, before = since, None, 0  # before: read by the queries before this one
        read = 0
        while True:
            # The body as the client would serialize its PublicObjectSearchRequest: each
            # model instance builds a whole client configuration (a few ms a request).
            groups = []
            if lower is not None:
                gte = {"propertyName": prop, "operator": "GTE", "value": millis(lower)}
                groups = [{"filters": [gte]}]
            request: dict[str, Any] = {
                "filterGroups": groups,
                "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                "properties": props,
                "limit": self.page_size,
            }
            if after is not None:
                request["after"] = after
            res = self._call(f"{kind} search", api.do_search_with_http_info, request, plain=True)
            rows = list(res.get("results") or [])
            read += len(rows)
            times = [
                t for t in (parse_time((r.get("properties") or {}).get(prop)) for r in rows) if t
            ]
            through = max(times) if times else None
            total = res.get("total")
            yield rows, through, before + total if isinstance(total, int) else None
            nxt = ((res.get("paging") or {}).get("next") or {}).get("after")
            if not nxt or not rows:
                return
            if int(nxt) + self.page_size > self.search_limit:
                if through is None or through == lower:
                    raise CrmError(
                        f"HubSpot: more than {self.search_limit} {kind} modified at one instant"
                    )
                lower, after = through, None  # start over from here: search stops at 10,000
                before = read
            else:
                after = nxt

    def owners(self) -> list[Owner]:
        out, after = [], None
        while True:
            kw: dict[str, Any] = {"limit": 100, "archived": False}
            if after:
                kw["after"] = after
            res = self._call("owners", self.owners_api.get_page_with_http_info, **kw)
            for o in res.results or []:
                name = f"{o.first_name or ''} {o.last_name or ''}".strip()
                if o.email:
                    out.append(Owner(str(o.id), o.email.lower(), name, not o.archived))
            after = res.paging.next.after if res.paging and res.paging.next else None
            if not after:
                return out

    def companies(self, since: datetime | None) -> Iterator[Page[Company]]:
        prop = "hs_lastmodifieddate"
        for rows, through, total in self._search(
            "companies", self.companies_search, co, prop, COMPANY_PROPS, since
        ):
            out = []
            for r in rows:
                p = r.get("properties") or {}
                touched = [
                    t
                    for t in (
                        parse_time(p.get("notes_last_contacted")),
                        parse_time(p.get("hs_last_sales_activity_timestamp")),
                    )
                    if t
                ]
                employees = _number(p.get("numberofemployees"))
                out.append(
                    Company(
                        crm_id=str(r["id"]),
                        name=(p.get("name") or "").strip(),
                        domain=domain_of(p.get("domain") or ""),
                        lifecycle=(p.get("lifecyclestage") or "").strip().lower(),
                        owner_id=(p.get("hubspot_owner_id") or "").strip(),
                        last_activity=max(touched) if touched else None,
                        modified_at=parse_time(p.get(prop)),
                        industry=(p.get("industry") or "").strip().lower(),
                        employees=int(employees) if employees is not None else None,
                        country=(p.get("country") or "").strip(),
                    )
                )
            yield Page(tuple(out), through, total)

    def contacts(self, since: datetime | None) -> Iterator[Page[Person]]:
        prop = "lastmodifieddate"
        for rows, through, total in self._search(
            "contacts", self.contacts_search, ct, prop, CONTACT_PROPS, since
        ):
            linked = self._associated("contacts", "companies", [str(r["id"]) for r in rows])
            out = []
            for r in rows:
                p = r.get("properties") or {}
                primary = (p.get("associatedcompanyid") or "").strip()
                companies = ([primary] if primary else []) + [
                    c for c in linked.get(str(r["id"]), []) if c != primary
                ]
                out.append(
                    Person(
                        crm_id=str(r["id"]),
                        email=(p.get("email") or "").strip().lower(),
                        first_name=(p.get("firstname") or "").strip(),
                        last_name=(p.get("lastname") or "").strip(),
                        title=(p.get("jobtitle") or "").strip(),
                        company_ids=tuple(companies),
                        last_activity=parse_time(p.get("notes_last_contacted")),
                        modified_at=parse_time(p.get(prop)),
                        opted_out=_truthy(p.get("hs_email_optout")),
                    )
                )
            yield Page(tuple(out), through, total)

    def deals(self, since: datetime | None) -> Iterator[Page[CompanyDeals]]:
        prop = "hs_lastmodifieddate"
        for rows, through, total in self._search(
            "deals", self.deals_search, dl, prop, DEAL_PROPS, since
        ):
            on = self._associated("deals", "companies", [str(r["id"]) for r in rows])
            companies = sorted({c for ids in on.values() for c in ids})
            # Every deal of each company touched, so its open deals are known whole.
            of_company = self._associated("companies", "deals", companies)
            ids = sorted({d for ds in of_company.values() for d in ds})
            deals = {d.crm_id: d for d in self._read_deals(ids)}
            out = tuple(
                CompanyDeals(c, tuple(deals[d] for d in of_company.get(c, []) if d in deals))
                for c in companies
            )
            yield Page(out, through, total)

    def _associated(self, src: str, dst: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """src id -> the ids of its `dst` objects (associations v4 batch read)."""
        out: dict[str, list[str]] = {}
        for i in range(0, len(ids), 1000):
            # BatchInputPublicFetchAssociationsBatchRequest's JSON, without a model per id.
            body = {"inputs": [{"id": x} for x in ids[i : i + 1000]]}
            res = self._call(
                f"{src} to {dst} associations",
                self.associations.get_page_with_http_info,
                src,
                dst,
                body,
                plain=True,
            )
            for r in res.get("results") or []:
                out[str(r["from"]["id"])] = [str(t["toObjectId"]) for t in r.get("to") or []]
        return out

    def _read_deals(self, ids: Sequence[str]) -> list[Deal]:
        stages = self._stage_table()
        out = []
        for i in range(0, len(ids), 100):
            body = dl.BatchReadInputSimplePublicObjectId(
                properties=DEAL_PROPS,
                properties_with_history=[],
                inputs=[dl.SimplePublicObjectId(id=x) for x in ids[i : i + 100]],
            )
            res = self._call("deals batch read", self.deals_batch.read_with_http_info, body)
            for r in res.results or []:
                p = r.properties or {}
                stage_id = (p.get("dealstage") or "").strip()
                label, closed, won = stages.get(
                    stage_id, (stage_id, stage_id in ("closedwon", "closedlost"), False)
                )
                won = _truthy(p["hs_is_closed_won"]) if p.get("hs_is_closed_won") else won
                if stage_id == "closedwon":
                    won = True
                closed = _truthy(p["hs_is_closed"]) if p.get("hs_is_closed") else closed or won
                out.append(
                    Deal(
                        crm_id=str(r.id),
                        name=(p.get("dealname") or "").strip() or f"deal {r.id}",
                        stage=label,
                        closed=closed,
                        won=won,
                        modified_at=parse_time(p.get("hs_lastmodifieddate")),
                    )
                )
        return out

    def _stage_table(self) -> dict[str, tuple[str, bool, bool]]:
        """Deal stage id -> (label, closed, won), from the deal pipelines; read once."""
        if self._stages is None:
            res = self._call("deal pipelines", self.pipelines_api.get_all_with_http_info, "deals")
            table = {}
            for pipeline in res.results or []:
                for st in pipeline.stages or []:
                    meta = st.metadata or {}
                    closed = _truthy(meta.get("isClosed"))
                    won = closed and _number(meta.get("probability")) == 1.0
                    table[st.id] = (st.label or st.id, closed, won)
            self._stages = table
        return self._stages

    # -- pushes -----------------------------------------------------------------------------

    def contact_ids(self, people: Sequence[Who]) -> dict[str, str]:
        found: dict[str, str] = {}
        by_email = {w.email.lower(): w for w in people if w.email}
        emails = sorted(by_email)
        for i in range(0, len(emails), 100):
            chunk = emails[i : i + 100]
            request = ct.PublicObjectSearchRequest(
                filter_groups=[
                    ct.FilterGroup(
                        filters=[ct.Filter(property_name="email", operator="IN", values=chunk)]
                    )
                ],
                properties=["email"],
                limit=100,
            )
            res = self._call(
                "contacts by email", self.contacts_search.do_search_with_http_info, request
            )
            for r in res.results or []:
                email = ((r.properties or {}).get("email") or "").lower()
                if email in by_email:
                    found[by_email[email].contact_id] = str(r.id)
        missing = [w for w in by_email.values() if w.contact_id not in found]
        for i in range(0, len(missing), 100):
            people_chunk = missing[i : i + 100]
            inputs = [
                ct.SimplePublicObjectBatchInputForCreate(
                    properties={
                        k: v
                        for k, v in {
                            "email": w.email,
                            "firstname": w.first_name,
                            "lastname": w.last_name,
                            "jobtitle": w.title,
                        }.items()
                        if v
                    },
                    associations=[_to(ct, w.crm_company, CONTACT_TO_COMPANY)]
                    if w.crm_company
                    else [],
                    object_write_trace_id=w.contact_id,
                )
                for w in people_chunk
            ]
            res = self._call(
                "create contacts",
                self.contacts_batch.create_with_http_info,
                ct.BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs),
                create=True,
            )
            for r in res.results or []:
                if r.object_write_trace_id:
                    found[r.object_write_trace_id] = str(r.id)
        return found

    def log(self, items: Sequence[Engagement]) -> Logged:
        result = Logged()
        emails = [e for e in items if e.kind in ("email", "reply")]
        notes = [e for e in items if e.kind == "note"]
        for i in range(0, len(emails), 100):
            inputs = [_email_input(e) for e in emails[i : i + 100]]
            self._create(
                "log emails",
                self.emails_batch.create_with_http_info,
                em.BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs),
                result,
            )
        for i in range(0, len(notes), 100):
            inputs = [_note_input(e) for e in notes[i : i + 100]]
            self._create(
                "log notes",
                self.notes_batch.create_with_http_info,
                nt.BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs),
                result,
            )
        return result

    def _create(self, what: str, fn: Callable[..., Any], body: Any, into: Logged) -> None:
        res = self._call(what, fn, body, create=True)
        for r in res.results or []:
            if r.object_write_trace_id:
                into.ids[r.object_write_trace_id] = str(r.id)
        for err in getattr(res, "errors", None) or []:
            into.errors.append(f"{what}: {err.category or ''} {err.message or ''}".strip())


def _to(mod: Any, crm_id: str, type_id: int) -> Any:
    return mod.PublicAssociationsForObject(
        to=mod.PublicObjectId(id=crm_id),
        types=[
            mod.AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=type_id)
        ],
    )


def _email_input(e: Engagement) -> Any:
    incoming = e.kind == "reply"
    headers = {
        "from": {"email": e.from_addr},
        "to": [{"email": e.to_addr}] if e.to_addr else [],
        "cc": [],
        "bcc": [],
        "messageId": e.message_id,
    }
    associations = [_to(em, e.crm_contact, EMAIL_TO_CONTACT)]
    if e.crm_company:
        associations.append(_to(em, e.crm_company, EMAIL_TO_COMPANY))
    return em.SimplePublicObjectBatchInputForCreate(
        properties={
            "hs_timestamp": e.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "hs_email_direction": "INCOMING_EMAIL" if incoming else "EMAIL",
            "hs_email_status": "SENT",
            "hs_email_subject": e.subject,
            "hs_email_text": e.text,
            "hs_email_headers": json.dumps(headers),
        },
        associations=associations,
        object_write_trace_id=e.key,
    )


def _note_input(e: Engagement) -> Any:
    associations = [_to(nt, e.crm_contact, NOTE_TO_CONTACT)]
    if e.crm_company:
        associations.append(_to(nt, e.crm_company, NOTE_TO_COMPANY))
    return nt.SimplePublicObjectBatchInputForCreate(
        properties={
            "hs_timestamp": e.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "hs_note_body": e.text,
        },
        associations=associations,
        object_write_trace_id=e.key,
    )
