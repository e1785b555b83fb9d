"""The HubSpot client's plain-JSON path (searches, associations) keeps its one keep-alive
connection through failures: an error answer or a body that is not JSON gives the
connection back to the pool, and a body that is not JSON is a CrmError (retried first),
never a bare parse error out of the sync."""

from __future__ import annotations

import pytest

from bot.crm.base import CrmError
from bot.crm.hubspot import HubSpot

from .test_hubspot_sync import T0

PROXY_PAGE = b"<html><body>502 Bad Gateway</body></html>"


def client(hub, **kw) -> HubSpot:
    return HubSpot(hub.token, host=hub.url, sleep=lambda _: None, **kw)


def pool_of(c: HubSpot):
    """The connection pool behind the search API (the one host the stand-in serves)."""
    pools = c.companies_search.api_client.rest_client.pool_manager.pools
    (key,) = pools.keys()
    return pools[key]


def idle(pool) -> int:
    return sum(1 for conn in list(pool.pool.queue) if conn is not None)


@pytest.fixture
def one_company(hub):
    hub.add_company("Acme Analytics", "acme-analytics.example", T0)
    return hub


def test_an_answer_that_is_not_json_is_retried_then_read(one_company):
    one_company.fail_next(200, path="/companies/search", body=PROXY_PAGE)
    c = client(one_company)
    (page,) = list(c.companies(None))
    assert [co.name for co in page.rows] == ["Acme Analytics"]
    assert c.calls == 2 and c.waited > 0
    pool = pool_of(c)
    assert (pool.num_connections, idle(pool)) == (1, 1)  # one connection, back in the pool


def test_an_answer_that_is_never_json_is_a_crm_error_and_frees_the_connection(one_company):
    one_company.fail_next(200, path="/companies/search", body=PROXY_PAGE, times=3)
    c = client(one_company, attempts=3)
    with pytest.raises(CrmError, match="answer to companies search was not JSON"):
        list(c.companies(None))
    pool = pool_of(c)
    assert (pool.num_connections, idle(pool)) == (1, 1)
    assert [co.name for p in c.companies(None) for co in p.rows] == ["Acme Analytics"]
    assert pool.num_connections == 1  # the same connection served the next pull


@pytest.mark.parametrize("status", [400, 500])
def test_an_error_answer_gives_the_connection_back(one_company, status):
    one_company.fail_next(status, path="/companies/search", times=2 if status >= 500 else 1)
    c = client(one_company, attempts=2)
    with pytest.raises(CrmError, match=f"answered {status}"):
        list(c.companies(None))
    pool = pool_of(c)
    assert (pool.num_connections, idle(pool)) == (1, 1)
    assert [co.name for p in c.companies(None) for co in p.rows] == ["Acme Analytics"]
    assert pool.num_connections == 1
