"""SmartDok API v1 client."""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Unpack

from grunndata.clients.auth import BearerAuth
from grunndata.clients.base import BaseClient, Call, gather_dict
from grunndata.clients.errors import ApiError, AuthError, NotFound, looks_like_error
from grunndata.clients.options import HttpOptions
from grunndata.clients.reads import read_union, union_by_id
from grunndata.clients.smartdok_resources import OUTPUT_ONLY, RESOURCES, Resource

_SUBPROJECT_CREATE = "/Projects/{projectId}/SubProjects"
_EXPORT_CHUNK = 500
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{8,}$")


class SmartDokSession(BearerAuth):
    """SmartDok's session token (``POST /Authorize/ApiToken`` with the API token), renewed once
    after a 401: SmartDok does not say how long a session lives."""


class SmartDokClient(BaseClient):
    system = "SmartDok"

    def __init__(self, base_url: str, api_token: str, **options: Unpack[HttpOptions]) -> None:
        super().__init__(base_url, rate_per_second=None, **options)  # SmartDok sets no pace
        self._api_token = api_token
        self._use_auth(SmartDokSession(self._sign_in))

    # -- auth ---------------------------------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        return (self._api_token, self._auth.token if self._auth is not None else None)

    async def _sign_in(self) -> tuple[str, float | None]:
        path = "/Authorize/ApiToken"
        call = Call(
            "POST",
            path,
            path,
            "Authorize/ApiToken",
            "sign in",
            body={"Token": self._api_token},
            has_body=True,
            authenticated=False,
            read=True,
        )
        try:
            response = await self._call(call)
        except ApiError as exc:
            if exc.status in (400, 401, 403, 404):
                raise self._error(
                    AuthError, call, "API-nøkkelen ble avvist", status=exc.status, message=exc.vendor_message
                ) from None
            raise
        text = response.text.strip()
        try:
            session = json.loads(text)
        except ValueError:
            # The spec also offers text/plain: accept a bare token, nothing else.
            session = text if _BARE_TOKEN.match(text) else None
        if not isinstance(session, str) or not session.strip():
            raise self._bad(call, response, "ventet økt-nøkkelen (session token) som en JSON-streng")
        # A session's lifetime is the server's business: it is renewed when a 401 says so.
        return session.strip(), None

    # -- reading ------------------------------------------------------------------------
    async def list(self, resource: str, params: dict | None = None) -> list[dict]:
        params = dict(params or {})
        if resource == "Additions" and not {"onlyAddition", "onlyUnitAddition"} & set(params):
            # /Additions answers nothing unless asked for one kind: ask for both, merge by Id.
            both = await gather_dict(
                {
                    "plain": self._list(resource, {**params, "onlyAddition": True}),
                    "unit": self._list(resource, {**params, "onlyUnitAddition": True}),
                }
            )
            return union_by_id(both["plain"], both["unit"])
        return await self._list(resource, params)

    async def find(self, resource: str, **filters: Any) -> builtins.list[dict]:
        """Records matching the spec's list filters: ``find("Projects", projectNumber="100")``."""
        return await self.list(resource, filters)

    async def _list(self, resource: str, params: dict) -> builtins.list[dict]:
        spec = _resource(resource)
        query: dict[str, Any] = {"all": True} if spec.has_all else {}
        query.update(params)
        items: builtins.list[dict] = []
        sent_offset: int | None = None
        previous: builtins.list[dict] = []
        while True:
            call = Call("GET", spec.path, spec.path, resource, "list", params=dict(query), read=True)
            response = await self._call(call)
            # Only a 204 may be empty: an empty 200 is a broken answer, not "no records".
            body = self._json(call, response, allow_empty=response.status_code == 204)
            if body is None:
                return items
            total = None
            if isinstance(body, list):
                page = body
            elif isinstance(body, dict) and isinstance(body.get("Items"), list):
                page, total = body["Items"], body.get("TotalCount")
            else:
                raise self._bad(call, response, "ventet en liste med poster")
            if not all(isinstance(x, dict) for x in page):
                raise self._bad(call, response, "ventet en liste med poster")
            offset = body.get("Offset") if isinstance(body, dict) else None
            offset = offset if isinstance(offset, int) else (sent_offset or 0)
            if sent_offset is not None and (offset != sent_offset or (page and previous and page[0] == previous[0])):
                raise self._bad(
                    call, response, f"ufullstendig liste: {len(items)} av {total} poster, og tjeneren overser offset"
                )
            items.extend(page)
            if not isinstance(total, int) or not page or offset + len(page) >= total:
                return items
            # A wrapped list that says there is more: fetch it rather than act on half a list.
            sent_offset, previous = offset + len(page), page
            query.update(offset=sent_offset, count=len(page))

    async def get(self, resource: str, id: Any, *, key: str | None = None) -> dict:
        spec = _resource(resource)
        call = Call("GET", spec.path + "/{id}", f"{spec.path}/{id}", resource, "get", key=key, read=True)
        response = await self._call(call)
        return self._record(call, response, self._json(call, response))

    async def read_all(self, reads: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, builtins.list[dict]]:
        """The SmartDok section of a world file: each (resource, params) list the plugins declare,
        read once, concurrently (bounded by max_concurrency); see :func:`read_union`."""
        return await read_union(self, reads)

    # -- writing ------------------------------------------------------------------------
    async def create(self, resource: str, body: dict, *, parent_id: int | None = None, key: str | None = None) -> dict:
        """POST a new record; the answer always has at least ``Id`` when SmartDok tells it."""
        spec = _resource(resource)
        if key is None and spec.key_field and body.get(spec.key_field) is not None:
            key = str(body[spec.key_field]).strip()
        if resource == "SubProjects":
            if parent_id is None:
                raise ValueError("creating a SubProject needs parent_id (the project's Id)")
            template, path = _SUBPROJECT_CREATE, f"/Projects/{parent_id}/SubProjects"
        else:
            template = path = spec.path
        call = Call("POST", template, path, resource, "create", key=key, body=body, has_body=True, idempotent=False)
        response = await self._call(call)
        created = self._json(call, response, allow_empty=True)
        if isinstance(created, dict) and not looks_like_error(created):
            return created if "Id" in created else {**body, **created}
        is_id = isinstance(created, (int, str)) and not isinstance(created, bool)
        if is_id and str(created).strip():
            # Some SmartDok creates answer only the new Id.
            try:
                return await self.get(resource, created, key=key)
            except NotFound:
                return {**body, "Id": created}
        if created is None:
            return await self._created_by_key(resource, spec, body, parent_id, key)
        raise self._bad(call, response, "ventet den opprettede posten eller dens Id")

    async def _created_by_key(
        self, resource: str, spec: Resource, body: dict, parent_id: int | None, key: str | None
    ) -> dict:
        if spec.key_filter and key is not None:
            found = [
                r
                for r in await self._list(resource, {spec.key_filter: key})
                if str(r.get(spec.key_field, "")).strip() == key
                and (parent_id is None or r.get("ProjectId") in (None, parent_id))
            ]
            if len(found) == 1:
                return found[0]
        return dict(body)

    async def update(
        self, resource: str, id: Any, changes: dict, *, key: str | None = None, current: dict | None = None
    ) -> dict:
        """Full-replace PUT: read the record, apply ``changes``, send every input field back.

        ``current``: the record as just read in a list (the same output schema as a GET, per the
        spec), e.g. from the snapshot a plan was checked against moments ago; it saves the GET,
        so a write costs one request."""
        spec = _resource(resource)
        if current is None:
            current = await self.get(resource, id, key=key)
        if not changes:
            return current
        if key is None and spec.key_field and current.get(spec.key_field) is not None:
            key = str(current[spec.key_field]).strip()
        merged = {**current, **changes}
        if spec.input_fields is not None:
            allowed = set(spec.input_fields)
            payload = {k: v for k, v in merged.items() if k in allowed or k in changes}
        else:
            payload = {k: v for k, v in merged.items() if k not in OUTPUT_ONLY or k in changes}
        call = Call(
            "PUT", spec.path + "/{id}", f"{spec.path}/{id}", resource, "update", key=key, body=payload, has_body=True
        )
        response = await self._call(call)
        updated = self._json(call, response, allow_empty=True)
        if updated is None:
            return await self.get(resource, id, key=key)
        return self._record(call, response, updated)

    async def set_exported_external(self, ids: builtins.list[int], reference: str) -> None:
        """Mark work-hour rows as sent to PowerOffice, tagged with ``reference``."""
        path = "/WorkHours/SetExportedExternal"
        for start in range(0, len(ids), _EXPORT_CHUNK):
            chunk = [int(i) for i in ids[start : start + _EXPORT_CHUNK]]
            # Marking is idempotent, so this POST may be resent after a dropped connection.
            call = Call(
                "POST",
                path,
                path,
                "WorkHours",
                "mark exported",
                key=reference,
                params={"exportedExternalId": reference, "setAsExportedExternal": True},
                body=chunk,
                has_body=True,
                idempotent=True,
            )
            await self._call(call)

    async def mark_goods_exported(self, goods_consumption_id: int, *, key: str | None = None) -> None:
        """Mark one goods consumption row as exported (idempotent, so safe to resend)."""
        template = "/GoodsConsumption/{goodsConsumptionId}/MarkAsExported"
        path = f"/GoodsConsumption/{int(goods_consumption_id)}/MarkAsExported"
        call = Call(
            "POST", template, path, "GoodsConsumption", "mark exported", key=key, has_body=False, idempotent=True
        )
        await self._call(call)


def _resource(name: str) -> Resource:
    return RESOURCES.get(name) or Resource("/" + name.strip("/"), False)
