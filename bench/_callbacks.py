"""Post each page's callbacks over HTTP and read their server times back.

Each case is posted a few times untimed (imports, the app's own caches and, with
the query cache on, the cache entries), then ``repeat`` times. The server time of
a post is gunicorn's request time from the access log, from the request being
read to the last byte of the response being written. The round trip is seen by
the client, so it adds the loopback and the reading of the response.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from _common import GunicornServer, timed_request
from _pages import Case, request_body, unmeasured

CALLBACK_PATH = "/_dash-update-component"


@dataclass
class CallbackTimes:
    """Times of one callback case.

    Attributes
    ----------
    server_ms, trip_ms
        Server time and client round trip of each timed post.
    size
        Response body bytes of the last post.
    statuses
        Count of each HTTP status over the timed posts.
    """

    page: str
    label: str
    server_ms: list[float] = field(default_factory=list)
    trip_ms: list[float] = field(default_factory=list)
    size: int = 0
    statuses: Counter = field(default_factory=Counter)


def measure_case(
    server: GunicornServer, session, body: dict, case: Case, repeat: int, warmups: int
) -> CallbackTimes:
    """Post one case ``warmups`` times untimed, then ``repeat`` times timed."""
    url = f"{server.base}{CALLBACK_PATH}"
    for _ in range(warmups):
        timed_request(session, "POST", url, json=body)
    result = CallbackTimes(case.page, case.label)
    request_ids = []
    for _ in range(repeat):
        response, trip, request_id = timed_request(session, "POST", url, json=body)
        request_ids.append(request_id)
        result.trip_ms.append(trip)
        result.size = len(response.content)
        result.statuses[response.status_code] += 1
    logged = server.server_times(request_ids)
    result.server_ms = [logged[rid].ms for rid in request_ids if rid in logged]
    return result


def measure_page(
    server: GunicornServer, session, cases: list[Case], repeat: int, warmups: int
) -> tuple[list[CallbackTimes], list[str]]:
    """Measure every case of one page; return the times and unmeasured callbacks."""
    dependencies = session.get(f"{server.base}/_dash-dependencies", timeout=60).json()
    results = []
    for case in cases:
        body = request_body(dependencies, case)
        results.append(measure_case(server, session, body, case, repeat, warmups))
    return results, unmeasured(dependencies, cases, cases[0].page)
