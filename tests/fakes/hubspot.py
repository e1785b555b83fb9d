"""A HubSpot stand-in on loopback: the CRM endpoints hubspot-api-client calls, with the
payload shapes of the client's own models (requests are read back into them, so a body the
real API would refuse for its shape is refused here too; answers are built from them).

Search with filters, ascending sorts and `after` paging (and HubSpot's 10,000-result cap),
batch read and create, associations v4, owners, deal pipelines; a wrong token gets 401;
`fail_next` programs 429s (Retry-After and X-HubSpot-RateLimit-* headers), 5xx and answers
that are not JSON (a proxy's page).

`generated(n)` holds no records: companies 0..n-1 and two contacts each are made up from
their index when asked for (one a second apart, so a search's GTE filter is an index), for
benchmarks of a million companies; `latency` delays every answer.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hubspot.crm import companies, contacts, deals, owners, pipelines
from hubspot.crm.associations import v4 as av4
from hubspot.crm.objects import emails, notes

MODULES = {
    "companies": companies,
    "contacts": contacts,
    "deals": deals,
    "emails": emails,
    "notes": notes,
}
MODIFIED = {"contacts": "lastmodifieddate"}  # every other object: hs_lastmodifieddate
# Association type ids HubSpot defines, per (from, to): what a create may use.
ASSOCIATION_TYPES = {
    ("contacts", "companies"): {1, 279},
    ("emails", "contacts"): {198},
    ("emails", "companies"): {186},
    ("notes", "contacts"): {202},
    ("notes", "companies"): {190},
    ("deals", "companies"): {5, 341},
}
REVERSE = {1: 2, 279: 280, 5: 6, 341: 342, 198: 197, 186: 185, 202: 201, 190: 189}
STAGES = [  # the default sales pipeline: (id, label, isClosed, probability)
    ("appointmentscheduled", "Appointment scheduled", "false", "0.2"),
    ("contractsent", "Contract sent", "false", "0.8"),
    ("closedwon", "Closed won", "true", "1.0"),
    ("closedlost", "Closed lost", "true", "0.0"),
]
GEN_T0 = datetime(2025, 1, 1, tzinfo=UTC)  # generated record i was last modified at GEN_T0 + i s
GEN_COMPANY, GEN_CONTACT = 1_000_000_000, 2_000_000_000  # generated ids: base + index
LIFECYCLES = ("lead", "opportunity", "salesqualifiedlead", "customer")


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def when(raw: Any) -> datetime | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class Refused(Exception):
    def __init__(self, status: int, message: str, category: str = "VALIDATION_ERROR"):
        super().__init__(message)
        self.status, self.category = status, category


@dataclass
class Request:
    method: str
    path: str
    query: dict
    body: Any
    status: int = 0


@dataclass
class Fault:
    status: int
    headers: dict
    body: dict | bytes  # bytes: sent as they are, not as JSON (a proxy's page)
    path: str  # answered on requests whose path contains this ("" = any)
    times: int


@dataclass
class FakeHubSpot:
    token: str = "pat-na1-00000000-test-token"
    server: ThreadingHTTPServer | None = None
    objects: dict[str, dict[str, dict]] = field(default_factory=lambda: {k: {} for k in MODULES})
    owner_rows: list[dict] = field(default_factory=list)
    links: dict[tuple[str, str, str], list[tuple[str, int]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    search_cap: int = 10_000
    rate_remaining: int = 99
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(101))
    # HubSpot's own clock, for what it stamps on writes: injected (tests set it), never the
    # wall clock, so a test passes on any day.
    clock: Callable[[], datetime] = lambda: datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    generated_companies: int = 0  # see `generated`
    latency: float = 0.0  # seconds added to every answer
    keep_requests: bool = True  # off for benchmarks: a million requests would fill the memory

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- the data behind it -----------------------------------------------------------------

    def _new(self, kind: str, modified: datetime, props: dict[str, Any]) -> str:
        oid = str(next(self._ids))
        stamp = iso(modified)
        properties = {k: str(v) for k, v in props.items() if v is not None}
        properties.update(
            {
                "hs_object_id": oid,
                "createdate": stamp,
                MODIFIED.get(kind, "hs_lastmodifieddate"): stamp,
            }
        )
        self.objects[kind][oid] = {
            "created": modified,
            "updated": modified,
            "properties": properties,
        }
        return oid

    def link(self, src: str, src_id: str, dst: str, dst_id: str, type_id: int) -> None:
        self.links.setdefault((src, src_id, dst), []).append((dst_id, type_id))
        back = REVERSE.get(type_id, type_id)
        self.links.setdefault((dst, dst_id, src), []).append((src_id, back))

    def add_company(self, name: str, domain: str, modified: datetime, **props: Any) -> str:
        return self._new("companies", modified, {"name": name, "domain": domain, **props})

    def add_contact(self, email: str, company: str | None, modified: datetime, **props: Any) -> str:
        extra = {"associatedcompanyid": company} if company else {}
        oid = self._new("contacts", modified, {"email": email, **extra, **props})
        if company:
            self.link("contacts", oid, "companies", company, 279)
        return oid

    def add_deal(
        self, name: str, stage: str, company: str, modified: datetime, **props: Any
    ) -> str:
        closed = stage in ("closedwon", "closedlost")
        oid = self._new(
            "deals",
            modified,
            {
                "dealname": name,
                "dealstage": stage,
                "pipeline": "default",
                "hs_is_closed": str(closed).lower(),
                "hs_is_closed_won": str(stage == "closedwon").lower(),
                **props,
            },
        )
        self.link("deals", oid, "companies", company, 341)
        return oid

    def add_owner(self, email: str, first: str, last: str, archived: bool = False) -> str:
        oid = str(next(self._ids))
        self.owner_rows.append(
            {"id": oid, "email": email, "first": first, "last": last, "archived": archived}
        )
        return oid

    def generated(self, companies: int) -> None:
        """Answer searches with `companies` made-up companies and two contacts each, built
        from their index on each request: a million of them cost no memory here."""
        self.generated_companies = companies

    def _gen_record(self, kind: str, i: int) -> dict:
        stamp = iso(GEN_T0 + timedelta(seconds=i))
        if kind == "companies":
            oid = str(GEN_COMPANY + i)
            props = {
                "name": f"Company {i}",
                "domain": f"company{i}.example",
                "lifecyclestage": LIFECYCLES[3 if i % 50 == 0 else i % 3],
                "industry": "COMPUTER_SOFTWARE",
                "numberofemployees": str(10 + i % 5000),
                "country": "us",
                "notes_last_contacted": stamp,
                "hs_lastmodifieddate": stamp,
            }
            if self.owner_rows:
                props["hubspot_owner_id"] = self.owner_rows[i % len(self.owner_rows)]["id"]
        else:
            oid = str(GEN_CONTACT + i)
            props = {
                "email": f"person{i}@company{i // 2}.example",
                "firstname": f"Pat{i}",
                "lastname": "Doe",
                "jobtitle": "Head of Data" if i % 2 else "CTO",
                "associatedcompanyid": str(GEN_COMPANY + i // 2),
                "hs_email_optout": "true" if i % 97 == 0 else "false",
                "lastmodifieddate": stamp,
            }
        props.update({"hs_object_id": oid, "createdate": stamp})
        return {
            "id": oid,
            "properties": props,
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
        }

    def _gen_search(self, kind: str, body: dict) -> dict:
        limit, offset = int(body.get("limit") or 10), int(body.get("after") or 0)
        if limit > 200:
            raise Refused(400, "limit must be at most 200")
        if offset + limit > self.search_cap:
            raise Refused(400, f"search results are limited to {self.search_cap}")
        count = {"companies": 1, "contacts": 2}.get(kind, 0) * self.generated_companies
        start, t0 = 0, int(GEN_T0.timestamp() * 1000)
        for group in body.get("filterGroups") or []:
            for f in group["filters"]:
                if f["operator"] != "GTE":
                    raise Refused(400, f"the generated stand-in does not do {f['operator']}")
                start = max(start, -(-(int(f["value"]) - t0) // 1000))
        first, last = start + offset, min(start + offset + limit, count)
        out: dict[str, Any] = {
            "total": max(count - start, 0),
            "results": [self._gen_record(kind, i) for i in range(first, last)],
        }
        if last < count:
            out["paging"] = {"next": {"after": str(offset + limit), "link": ""}}
        return out

    def _gen_links(self, body: dict) -> dict:
        """Contacts -> companies of generated contacts: each to its one company."""
        results = [
            {
                "from": {"id": item["id"]},
                "to": [
                    {
                        "toObjectId": str(GEN_COMPANY + (int(item["id"]) - GEN_CONTACT) // 2),
                        "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 279}],
                    }
                ],
            }
            for item in body["inputs"]
            if int(item["id"]) >= GEN_CONTACT
        ]
        stamp = iso(self.clock())
        return {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}

    def touch(self, kind: str, oid: str, modified: datetime, **props: Any) -> None:
        row = self.objects[kind][oid]
        row["updated"] = modified
        row["properties"].update({k: str(v) for k, v in props.items()})
        row["properties"][MODIFIED.get(kind, "hs_lastmodifieddate")] = iso(modified)
        if kind == "deals" and "dealstage" in props:
            stage = props["dealstage"]
            row["properties"]["hs_is_closed"] = str(stage in ("closedwon", "closedlost")).lower()
            row["properties"]["hs_is_closed_won"] = str(stage == "closedwon").lower()

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        path: str = "",
        headers: dict | None = None,
        body: dict | bytes | None = None,
    ) -> None:
        """The next `times` requests to `path` answered `status` with `body`: a dict as JSON,
        bytes as they are (what a proxy in the way would send); HubSpot's own error bodies
        by default."""
        if body is None:
            body = (
                {
                    "status": "error",
                    "message": "You have reached your secondly limit.",
                    "errorType": "RATE_LIMIT",
                    "policyName": "SECONDLY",
                    "correlationId": "00000000-0000-0000-0000-000000000000",
                }
                if status == 429
                else {"status": "error", "message": "internal error", "category": "INTERNAL_ERROR"}
            )
        self.faults.append(Fault(status, headers or {}, body, path, times))

    # -- what was asked -----------------------------------------------------------------------

    def asked(self, path_part: str, method: str | None = None) -> list[Request]:
        return [
            r
            for r in self.requests
            if path_part in r.path and (method is None or r.method == method)
        ]

    def searches(self, kind: str) -> list[dict]:
        return [r.body for r in self.asked(f"/crm/v3/objects/{kind}/search") if r.status == 200]

    def created(self, kind: str) -> list[dict]:
        return list(self.objects[kind].values())

    # -- answering ---------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, query: dict, raw: bytes, auth: str
    ) -> tuple[int, dict | bytes, dict]:
        body = json.loads(raw) if raw else None
        req = Request(method, path, query, body)
        if self.latency:
            time.sleep(self.latency)
        with self.lock:
            if self.keep_requests:
                self.requests.append(req)
            status, payload, headers = self._answer(method, path, query, body, auth)
            req.status = status
        headers = {
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": str(self.rate_remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            **headers,
        }
        return status, payload, headers

    def _answer(self, method, path, query, body, auth) -> tuple[int, dict | bytes, dict]:
        if auth != f"Bearer {self.token}":
            return (
                401,
                {
                    "status": "error",
                    "message": "Authentication credentials not found.",
                    "correlationId": "00000000-0000-0000-0000-000000000001",
                    "category": "INVALID_AUTHENTICATION",
                },
                {},
            )
        for fault in self.faults:
            if fault.times > 0 and fault.path in path:
                fault.times -= 1
                return fault.status, fault.body, fault.headers
        try:
            status, payload = self._route(method, path, query, body)
            return status, payload, {}
        except Refused as exc:
            return (
                exc.status,
                {"status": "error", "message": str(exc), "category": exc.category},
                {},
            )

    def _route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, dict]:
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts[:3] == ["crm", "v3", "owners"]:
            return 200, self._owners(query)
        if method == "GET" and parts[:3] == ["crm", "v3", "pipelines"] and parts[3:] == ["deals"]:
            return 200, self._pipelines()
        if method == "POST" and parts[:3] == ["crm", "v3", "objects"] and parts[3] in MODULES:
            kind, rest = parts[3], parts[4:]
            if rest == ["search"] and self.generated_companies:
                return 200, self._gen_search(kind, body)
            if rest == ["search"]:
                return 200, self._search(kind, body)
            if rest == ["batch", "read"]:
                return 200, self._batch_read(kind, body)
            if rest == ["batch", "create"]:
                return 201, self._batch_create(kind, body)
        if (
            method == "POST"
            and parts[:3] == ["crm", "v4", "associations"]
            and parts[5:]
            == [
                "batch",
                "read",
            ]
        ):
            if self.generated_companies and parts[3:5] == ["contacts", "companies"]:
                return 200, self._gen_links(body)
            return 200, self._associations(parts[3], parts[4], body)
        raise Refused(404, f"no such endpoint: {method} {path}", "OBJECT_NOT_FOUND")

    def _read(self, module: Any, body: Any, model: str) -> Any:
        """The body read into the client's model: a shape the client could not have sent (a
        missing field, an unknown operator) is refused as HubSpot would."""

        class Raw:
            data = json.dumps(body)

        try:
            return module.ApiClient().deserialize(Raw, model)
        except (ValueError, TypeError) as exc:
            raise Refused(400, f"invalid {model}: {exc}") from None

    def _out(self, module: Any, model: Any) -> dict:
        return module.ApiClient().sanitize_for_serialization(model)

    def _public(self, kind: str, oid: str, props: list[str] | None) -> Any:
        mod = MODULES[kind]
        row = self.objects[kind][oid]
        mod_key = MODIFIED.get(kind, "hs_lastmodifieddate")
        wanted = set(props or []) | {"hs_object_id", "createdate", mod_key}
        properties = {k: v for k, v in row["properties"].items() if k in wanted}
        return mod.SimplePublicObject(
            id=oid,
            properties=properties,
            created_at=row["created"],
            updated_at=row["updated"],
            archived=False,
            object_write_trace_id=row.get("trace"),
        )

    def _matches(self, props: dict, f: dict) -> bool:
        name, op = f["propertyName"], f["operator"]
        have = props.get(name)
        if op == "HAS_PROPERTY":
            return have not in (None, "")
        if op == "IN":
            return have is not None and have.lower() in {v.lower() for v in f.get("values", [])}
        if op == "EQ":
            return have is not None and have.lower() == str(f.get("value", "")).lower()
        if op in ("GTE", "GT", "LTE", "LT"):
            a, b = when(have), when(f.get("value"))
            if a is None or b is None:
                return False
            return {"GTE": a >= b, "GT": a > b, "LTE": a <= b, "LT": a < b}[op]
        raise Refused(400, f"the stand-in does not do operator {op}")

    def _search(self, kind: str, body: dict) -> dict:
        mod = MODULES[kind]
        request = self._read(mod, body, "PublicObjectSearchRequest")
        limit = request.limit or 10
        if limit > 200:
            raise Refused(400, "limit must be at most 200")
        offset = int(request.after or 0)
        if offset + limit > self.search_cap:
            raise Refused(400, f"search results are limited to {self.search_cap}")
        groups = body.get("filterGroups") or []
        rows = [
            (oid, row)
            for oid, row in self.objects[kind].items()
            if not groups
            or any(all(self._matches(row["properties"], f) for f in g["filters"]) for g in groups)
        ]
        for sort in reversed(body.get("sorts") or []):
            name = sort["propertyName"] if isinstance(sort, dict) else sort.lstrip("-")
            down = (
                (sort.get("direction") == "DESCENDING")
                if isinstance(sort, dict)
                else sort.startswith("-")
            )
            rows.sort(
                key=lambda r, n=name: (
                    when(r[1]["properties"].get(n)) or datetime.min.replace(tzinfo=UTC),
                    int(r[0]),
                ),
                reverse=down,
            )
        if not body.get("sorts"):
            rows.sort(key=lambda r: int(r[0]))
        page = rows[offset : offset + limit]
        more = offset + limit < len(rows)
        model = mod.CollectionResponseWithTotalSimplePublicObjectForwardPaging(
            total=len(rows),
            results=[self._public(kind, oid, request.properties) for oid, _ in page],
            paging=mod.ForwardPaging(next=mod.NextPage(after=str(offset + limit), link=""))
            if more
            else None,
        )
        return self._out(mod, model)

    def _batch_read(self, kind: str, body: dict) -> dict:
        mod = MODULES[kind]
        request = self._read(mod, body, "BatchReadInputSimplePublicObjectId")
        now = self.clock()
        results = [
            self._public(kind, i.id, request.properties)
            for i in request.inputs
            if i.id in self.objects[kind]
        ]
        return self._out(
            mod,
            mod.BatchResponseSimplePublicObject(
                status="COMPLETE", results=results, started_at=now, completed_at=now
            ),
        )

    def _batch_create(self, kind: str, body: dict) -> dict:
        mod = MODULES[kind]
        request = self._read(mod, body, "BatchInputSimplePublicObjectBatchInputForCreate")
        if len(request.inputs) > 100:
            raise Refused(400, "at most 100 inputs per batch")
        for item in request.inputs:
            if kind in ("emails", "notes") and not item.properties.get("hs_timestamp"):
                raise Refused(400, "hs_timestamp is required")
            if kind == "contacts":
                email = (item.properties.get("email") or "").lower()
                if any(
                    (r["properties"].get("email") or "").lower() == email
                    for r in self.objects["contacts"].values()
                ):
                    raise Refused(409, f"Contact already exists: {email}", "CONFLICT")
            for a in item.associations or []:
                dst = self._kind_of(a.to.id)
                for t in a.types:
                    if t.association_type_id not in ASSOCIATION_TYPES.get((kind, dst), set()):
                        raise Refused(
                            400,
                            f"association type {t.association_type_id} is not {kind} to {dst}",
                        )
        now = self.clock()
        made = []
        for item in request.inputs:
            oid = self._new(kind, now, item.properties)
            self.objects[kind][oid]["trace"] = item.object_write_trace_id
            for a in item.associations or []:
                for t in a.types:
                    self.link(kind, oid, self._kind_of(a.to.id), a.to.id, t.association_type_id)
            made.append(self._public(kind, oid, list(item.properties)))
        return self._out(
            mod,
            mod.BatchResponseSimplePublicObject(
                status="COMPLETE", results=made, started_at=now, completed_at=now
            ),
        )

    def _kind_of(self, oid: str) -> str:
        for kind, rows in self.objects.items():
            if oid in rows:
                return kind
        raise Refused(400, f"no object {oid} to associate with")

    def _associations(self, src: str, dst: str, body: dict) -> dict:
        request = self._read(av4, body, "BatchInputPublicFetchAssociationsBatchRequest")
        now = self.clock()
        results = []
        for item in request.inputs:
            linked = self.links.get((src, item.id, dst), [])
            if not linked:
                continue
            by_id: dict[str, list[int]] = {}
            for to_id, type_id in linked:
                by_id.setdefault(to_id, []).append(type_id)
            results.append(
                av4.PublicAssociationMultiWithLabel(
                    _from=av4.PublicObjectId(id=item.id),
                    to=[
                        av4.MultiAssociatedObjectWithLabel(
                            to_object_id=to_id,
                            association_types=[
                                av4.AssociationSpecWithLabel(category="HUBSPOT_DEFINED", type_id=t)
                                for t in types
                            ],
                        )
                        for to_id, types in by_id.items()
                    ],
                )
            )
        return self._out(
            av4,
            av4.BatchResponsePublicAssociationMultiWithLabel(
                status="COMPLETE", results=results, started_at=now, completed_at=now
            ),
        )

    def _owners(self, query: dict) -> dict:
        limit = int(query.get("limit", ["100"])[0])
        offset = int(query.get("after", ["0"])[0])
        archived = query.get("archived", ["false"])[0] == "true"
        rows = [o for o in self.owner_rows if o["archived"] == archived]
        page = rows[offset : offset + limit]
        now = datetime(2024, 1, 1, tzinfo=UTC)
        model = owners.CollectionResponsePublicOwnerForwardPaging(
            results=[
                owners.PublicOwner(
                    id=o["id"],
                    email=o["email"],
                    first_name=o["first"],
                    last_name=o["last"],
                    user_id=int(o["id"]),
                    type="PERSON",
                    archived=o["archived"],
                    created_at=now,
                    updated_at=now,
                )
                for o in page
            ],
            paging=owners.ForwardPaging(next=owners.NextPage(after=str(offset + limit)))
            if offset + limit < len(rows)
            else None,
        )
        return self._out(owners, model)

    def _pipelines(self) -> dict:
        now = datetime(2024, 1, 1, tzinfo=UTC)
        model = pipelines.CollectionResponsePipelineNoPaging(
            results=[
                pipelines.Pipeline(
                    id="default",
                    label="Sales Pipeline",
                    display_order=0,
                    archived=False,
                    created_at=now,
                    updated_at=now,
                    stages=[
                        pipelines.PipelineStage(
                            id=sid,
                            label=label,
                            display_order=n,
                            archived=False,
                            created_at=now,
                            updated_at=now,
                            write_permissions="CRM_PERMISSIONS_ENFORCEMENT",
                            metadata={"isClosed": closed, "probability": prob},
                        )
                        for n, (sid, label, closed, prob) in enumerate(STAGES)
                    ],
                )
            ]
        )
        return self._out(pipelines, model)


def start(token: str | None = None) -> FakeHubSpot:
    fake = FakeHubSpot(**({"token": token} if token else {}))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as HubSpot: one connection per client
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall

        def log_message(self, *args):  # keep test output quiet
            pass

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload, headers = fake.answer(
                method,
                parts.path,
                parse_qs(parts.query),
                raw,
                self.headers.get("Authorization", ""),
            )
            raw_body = isinstance(payload, bytes)
            data = payload if raw_body else json.dumps(payload).encode()
            self.send_response(status)
            kind = "text/html" if raw_body else "application/json;charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=fake.server.serve_forever, daemon=True).start()
    return fake
