"""A bare fake of both APIs over ``httpx.MockTransport``: lists answer whatever records a test
gives (wrong types, nulls, missing and extra fields included), creates answer the body with an id.
The sandbox validates its worlds, so records it would never hold are served from here."""
from __future__ import annotations

import json
from typing import Any

import httpx

SD_LISTS = {"/Projects": "Projects", "/SubProjects": "SubProjects", "/WorkDescriptions": "WorkDescriptions",
            "/Machines": "Machines", "/Users": "Users", "/Wages": "Wages", "/Additions": "Additions"}
PO_LISTS = {"/v2/Projects": "Projects", "/v2/Products": "Products", "/v2/Employees": "Employees",
            "/v2/PayItems": "PayItems", "/v2/Customers": "Customers",
            "/v2/TimeTracking/Activity": "TimeTracking/Activity", "/v2/TimeTracking/HourType": "TimeTracking/HourType"}


class FakeApis:
    def __init__(self, world: dict[str, dict[str, Any]], raw: dict[tuple[str, str], tuple[int, str]] | None = None):
        self.world = world
        self.raw = raw or {}  # (system, path) -> (status, body text): served as is
        self.next_id = 10_000
        self.writes = 0

    def _answer(self, system: str, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if (system, path) in self.raw:
            status, text = self.raw[(system, path)]
            return httpx.Response(status, text=text, headers={"content-type": "text/html" if text.lstrip()
                                                              .startswith("<") else "application/json"})
        if path == "/Authorize/ApiToken":
            return httpx.Response(200, json="session-token-abcdefgh")
        if path == "/OAuth/Token":
            return httpx.Response(200, json={"access_token": "po-token-abcdefgh", "expires_in": 1200})
        lists = SD_LISTS if system == "smartdok" else PO_LISTS
        if request.method == "GET":
            name = lists.get(path)
            if name is None:
                return httpx.Response(200, json=[])
            rows = self.world.get(system, {}).get(name, [])
            if system == "poweroffice" and int(request.url.params.get("PageNumber", "1")) > 1:
                rows = []
            return httpx.Response(200, json=rows)
        self.writes += 1
        self.next_id += 1
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            body = None
        if request.method == "POST":
            record = body if isinstance(body, dict) else {}
            return httpx.Response(201, json={**record, "Id": self.next_id, "id": self.next_id})
        return httpx.Response(200, json={"Id": self.next_id})

    def transports(self) -> dict[str, httpx.MockTransport]:
        return {"smartdok": httpx.MockTransport(lambda r: self._answer("smartdok", r)),
                "poweroffice": httpx.MockTransport(lambda r: self._answer("poweroffice", r))}
