"""A tenant made runnable in this process: its stored config materialised and loaded with the
usual loader, its secrets, its PostgreSQL state store and clients whose PowerOffice requests
take their places in the budget shared by every worker.

Sessions are cached per tenant and config hash: a tenant whose config was replaced is loaded
afresh at its next job; one whose config is the same costs nothing to reopen.

Each tenant's PowerOffice access token is kept too, in this process's memory only (never in the
database, a log, the journal or a metric): signing in is one request of the shared budget, a
fifth of a quiet cycle. The next job of the tenant reuses it while it is fresh (the usual minute
before expiry); a 401 drops it and signs in again (``BearerAuth``). It is kept with the account it
was issued to, so a tenant whose keys or token URL changed signs in afresh.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from grunndata.operator import tenants
from grunndata.operator.limiter import PgRateLimiter
from grunndata.operator.tenant_secrets import tenant_secrets
from grunndata.state.postgres import PostgresStateStore


@dataclass(frozen=True)
class KeptToken:
    """A tenant's PowerOffice token between jobs: the account it belongs to, the token, and when
    it is due for renewal on this process's monotonic clock (the clients' default clock)."""

    account: tuple[str, ...] = field(repr=False)  # secrets: never in a repr, a log or a traceback
    token: str = field(repr=False)
    renew_at: float = 0.0


@dataclass
class Loaded:
    tenant: tenants.TenantConfig
    session: Any
    directory: Path


class Runtime:
    """Per worker process: the database URL, an async pool for the limiter, cached sessions."""

    def __init__(self, url: str, *, on_wait: Callable[[float], None] | None = None) -> None:
        self.url = url
        self._sessions: dict[str, Loaded] = {}
        self._tokens: dict[str, KeptToken] = {}
        self._root = Path(tempfile.mkdtemp(prefix="grunndata-tenants-"))
        self._pool: Any = None
        self._on_wait = on_wait

    async def pool(self) -> Any:
        if self._pool is None:
            from psycopg_pool import AsyncConnectionPool

            self._pool = AsyncConnectionPool(self.url, min_size=1, max_size=8, open=False, kwargs={"autocommit": True})
            await self._pool.open()
        return self._pool

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        shutil.rmtree(self._root, ignore_errors=True)

    def load(self, conn: psycopg.Connection[Any], name: str) -> Loaded:
        """The tenant's current config, loaded (refuses a removed or unknown tenant)."""
        from grunndata.session import open_session

        tenant = tenants.require(conn, name)
        cached = self._sessions.get(name)
        if cached is not None and cached.tenant.config_hash == tenant.config_hash:
            return cached
        directory = self._root / f"{name}-{tenant.version}"
        shutil.rmtree(directory, ignore_errors=True)
        config = tenants.materialise(tenant, directory)
        loaded = Loaded(tenant, open_session(str(config)), directory)
        if cached is not None:
            shutil.rmtree(cached.directory, ignore_errors=True)
        self._sessions[name] = loaded
        return loaded

    def store(self, name: str) -> PostgresStateStore:
        return PostgresStateStore(psycopg.connect(self.url, autocommit=True), name)

    @asynccontextmanager
    async def connection(self, loaded: Loaded) -> AsyncIterator[Any]:
        """Both clients for the tenant, PowerOffice paced by the shared budget of its key."""
        from grunndata.engine import runner

        secrets = tenant_secrets(loaded.tenant.tenant, loaded.tenant.secrets_file)
        limiter = PgRateLimiter(
            await self.pool(), secrets.poweroffice_subscription_key, loaded.tenant.tenant, on_wait=self._on_wait
        )
        conn = runner.connect(loaded.session, secrets, rate_per_second=None, po_limiter=limiter)
        name = loaded.tenant.tenant
        account = (
            loaded.session.config.poweroffice_token_url,
            secrets.poweroffice_application_key,
            secrets.poweroffice_client_key,
        )
        auth = conn.poweroffice.auth
        kept = self._tokens.pop(name, None)
        if auth is not None and kept is not None and kept.account == account:
            auth.adopt(kept.token, kept.renew_at)
        try:
            yield conn
        finally:
            held = auth.held() if auth is not None else None
            if held is not None:
                self._tokens[name] = KeptToken(account, *held)
            await conn.aclose()
            await limiter.drain()
