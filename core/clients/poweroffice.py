"""PowerOffice Go API v2 client (plus the v1 time-tracking resources, via the adapter)."""

from __future__ import annotations

import base64
import builtins
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Unpack
from urllib.parse import urlsplit

from grunndata.clients import timetracking as tt
from grunndata.clients.auth import BearerAuth
from grunndata.clients.base import BaseClient, Call
from grunndata.clients.errors import ApiError, AuthError
from grunndata.clients.options import PacedOptions
from grunndata.clients.reads import read_union

# Filter names callers may use for the natural keys, mapped to the spec's query keys.
FILTER_ALIASES: dict[str, dict[str, str]] = {
    "Products": {"productCodes": "codes", "code": "codes", "Code": "codes"},
    "PayItems": {"payItemCodes": "codes", "code": "codes", "Code": "codes"},
    "Employees": {"employeeNumbers": "employeeNos", "number": "employeeNos", "Number": "employeeNos"},
    "Customers": {"customerNumbers": "customerNos", "number": "customerNos", "Number": "customerNos"},
    "Projects": {"code": "projectCodes", "Code": "projectCodes", "codes": "projectCodes"},
}

# The API's largest page (the spec's MaxPageSize). Lists have no total count, so a list of n
# records costs n // PageSize + 1 requests; the largest page makes that the fewest the API
# allows, and every request saved is one more for the writes under the shared 10/s limit.
MAX_PAGE_SIZE = 20000

JSON_PATCH = "application/json-patch+json"


class PowerOfficeToken(BearerAuth):
    """PowerOffice's OAuth client-credentials token (``POST /OAuth/Token`` with the application and
    client keys): renewed a minute before it expires, and once after a 401."""


class PowerOfficeClient(BaseClient):
    system = "PowerOffice"

    def __init__(
        self,
        base_url: str,
        token_url: str,
        application_key: str,
        client_key: str,
        subscription_key: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        clock: Callable[[], float] = time.monotonic,
        **options: Unpack[PacedOptions],
    ) -> None:
        options.setdefault("rate_per_second", 10.0)  # PowerOffice's limit per subscription key
        super().__init__(base_url, **options)
        self._token_url = token_url
        self._token_path = urlsplit(token_url).path or "/OAuth/Token"
        self._application_key = application_key
        self._client_key = client_key
        self._subscription_key = subscription_key
        self._basic = base64.b64encode(f"{application_key}:{client_key}".encode()).decode()
        self._page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self._use_auth(PowerOfficeToken(self._fetch_token, clock=clock))

    # -- auth ---------------------------------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        return (
            self._application_key,
            self._client_key,
            self._subscription_key,
            self._basic,
            self._auth.token if self._auth is not None else None,
        )

    def _static_headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "Ocp-Apim-Subscription-Key": self._subscription_key}

    async def _fetch_token(self) -> tuple[str, float | None]:
        call = Call(
            "POST",
            self._token_path,
            self._token_path,
            "OAuth/Token",
            "sign in",
            body=b"grant_type=client_credentials",
            has_body=True,
            content_type="application/x-www-form-urlencoded",
            authenticated=False,
            url=self._token_url,
            read=True,
            extra_headers={"Authorization": f"Basic {self._basic}"},
        )
        try:
            response = await self._call(call)
        except ApiError as exc:
            if exc.status in (400, 401, 403):
                raise self._error(
                    AuthError, call, "klientnøklene ble avvist", status=exc.status, message=exc.vendor_message
                ) from None
            raise
        body = self._record(call, response, self._json(call, response))
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise self._bad(call, response, "ingen access_token i svaret på innloggingen")
        try:
            lifetime = float(body.get("expires_in", 1200))
        except (TypeError, ValueError):
            lifetime = 1200.0
        return token, lifetime

    # -- reading ------------------------------------------------------------------------
    async def list(self, resource: str, params: dict | None = None) -> list[dict]:
        template, paged = _collection(resource)
        return await self._list(resource, template, template, params, paged)

    async def _list(
        self, resource: str, template: str, path: str, params: dict | None, paged: bool, operation: str = "list"
    ) -> builtins.list[dict]:
        query = dict(params or {})
        size = int(query.pop("PageSize", self._page_size))
        items: builtins.list[dict] = []
        page = int(query.pop("PageNumber", 1))
        previous: builtins.list[dict] = []
        while True:
            if paged:
                query.update(PageNumber=page, PageSize=size)
            call = Call("GET", template, path, resource, operation, params=dict(query), read=True)
            response = await self._call(call)
            if response.status_code == 204:
                break
            # An empty list is a 204; an empty 200 is a broken answer, not "no records" (acting on
            # it would create every record again in the other system).
            body = tt.unwrap(self._json(call, response))
            if body is None:
                break
            if not isinstance(body, list) or not all(isinstance(x, dict) for x in body):
                raise self._bad(call, response, "ventet en liste med poster")
            if previous and body and body[0] == previous[0]:
                # A server ignoring PageNumber would otherwise have us loop for ever.
                raise self._bad(call, response, f"side {page} gjentar side {page - 1}")
            items.extend(body)
            if not paged or len(body) < size:
                break
            previous = body
            page += 1
        return items

    async def get(self, resource: str, id: Any, *, key: str | None = None) -> dict:
        path = _item(resource, id)
        call = Call("GET", _item(resource, "{id}"), path, resource, "get", key=key, read=True)
        response = await self._call(call)
        return self._record(call, response, tt.unwrap(self._json(call, response)))

    async def find(self, resource: str, **filters: Any) -> builtins.list[dict]:
        """Records matching the spec's server-side filters (client-side for time tracking)."""
        if tt.is_time_tracking(resource):
            return [r for r in await self.list(resource) if tt.matches(r, filters)]
        aliases = FILTER_ALIASES.get(resource, {})
        params = {aliases.get(k, k): _filter_value(v) for k, v in filters.items()}
        return await self.list(resource, params)

    async def read_all(self, reads: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, builtins.list[dict]]:
        """The PowerOffice section of a world file: each (resource, params) list the plugins
        declare, read once, every page; see :func:`read_union`. (Project activities are not a
        list of their own: one call per project.)"""
        return await read_union(self, reads)

    async def list_project_activities(self, project_id: Any) -> builtins.list[dict]:
        template, path = tt.project_activity_path(project_id)
        return await self._list(tt.PROJECT_ACTIVITY, template, path, None, paged=False)

    # -- writing ------------------------------------------------------------------------
    async def create(self, resource: str, body: dict, *, key: str | None = None) -> dict:
        template, _ = _collection(resource)
        return await self._create(resource, template, template, body, key)

    async def create_project_activity(self, project_id: Any, body: dict, *, key: str | None = None) -> dict:
        template, path = tt.project_activity_path(project_id)
        return await self._create(tt.PROJECT_ACTIVITY, template, path, body, key or _str(body.get("activityCode")))

    async def _create(self, resource: str, template: str, path: str, body: dict, key: str | None) -> dict:
        call = Call("POST", template, path, resource, "create", key=key, body=body, has_body=True, idempotent=False)
        response = await self._call(call)
        created = tt.unwrap(self._json(call, response, allow_empty=True))
        if created is None:
            return dict(body)
        return self._record(call, response, created)

    async def update(
        self, resource: str, id: Any, changes: dict, *, key: str | None = None, current: dict | None = None
    ) -> dict:
        """PATCH with RFC 6902 ``replace`` operations; returns the record as it now is.
        (``current`` is accepted for symmetry with SmartDok's full-replace PUT; a PATCH needs only
        the changes.)"""
        if not changes:
            return await self.get(resource, id, key=key)
        to_path = tt.patch_path if tt.is_time_tracking(resource) else _pascal_path
        call = replace_call(resource, _item(resource, "{id}"), _item(resource, id), changes, key=key, to_path=to_path)
        response = await self._call(call)
        updated = tt.unwrap(self._json(call, response, allow_empty=True))
        if updated is None:
            return await self.get(resource, id, key=key)
        return self._record(call, response, updated)


def _collection(resource: str) -> tuple[str, bool]:
    if tt.is_time_tracking(resource):
        spec = tt.RESOURCES[resource]
        return spec.collection, spec.paged
    return "/" + resource.strip("/"), True


def _item(resource: str, id: Any) -> str:
    if tt.is_time_tracking(resource):
        return tt.RESOURCES[resource].item.replace("{id}", str(id))
    return f"/{resource.strip('/')}/{id}"


def replace_call(
    resource: str,
    template: str,
    path: str,
    changes: dict,
    *,
    key: str | None,
    to_path: Callable[[str], str] | None = None,
) -> Call:
    """A PATCH of ``changes`` as JSON Patch ``replace`` operations, each field's path by ``to_path``
    (PascalCase unless it says otherwise)."""
    to_path = to_path or _pascal_path
    ops = [{"op": "replace", "path": to_path(name), "value": value} for name, value in changes.items()]
    return Call("PATCH", template, path, resource, "update", key=key, body=ops, has_body=True, content_type=JSON_PATCH)


def _pascal_path(name: str) -> str:
    # Reports say camelCase paths are silently ignored by PowerOffice: always send PascalCase.
    name = name.lstrip("/")
    return "/" + name[:1].upper() + name[1:]


def _filter_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return value


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
