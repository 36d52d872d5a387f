"""The operator's tenants for the console (``GRUNNDATA_DATABASE_URL`` set): every active tenant
in PostgreSQL, each served as an :class:`Integration` over its stored config.

Each tenant's config and rule files are materialised (as a worker does) into a folder only this
user can read; its secrets come from its secrets file or its prefixed variables
(:func:`grunndata.operator.tenant_secrets.tenant_secrets`); its journal, waiting plans and
cycles are its :class:`~grunndata.state.postgres.PostgresStateStore`; PowerOffice requests take
their places in the budget the operator's workers share (:class:`PgRateLimiter`). A save in
Oppsett stores a new version of the tenant's config (as ``grunndata tenant add`` does), which
the workers pick up at their next job.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg

from grunndata.console import backend_waiting
from grunndata.console.integration import Integration
from grunndata.console.tenants import TenantRow
from grunndata.operator import db, tenants
from grunndata.operator.limiter import PgRateLimiter
from grunndata.operator.tenant_secrets import tenant_secrets
from grunndata.state.postgres import PostgresStateStore
from grunndata.unattended.schedule_config import KINDS, settings_from
from grunndata.unattended.status import build_status, health_problems


class _StoreJournal:
    """The tenant's journal as the console opens it: the store's journal; closing closes the store."""

    def __init__(self, store: PostgresStateStore):
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store.journal, name)

    def close(self) -> None:
        self._store.close()


class OperatorTenants:
    operator = True

    def __init__(self, url: str, transports: dict[str, Any] | None = None):
        self.url = url
        self.transports = transports  # tests: an in-process sandbox
        self._root = Path(tempfile.mkdtemp(prefix="grunndata-console-tenants-"))
        os.chmod(self._root, 0o700)
        self._lock = threading.Lock()
        self._served: dict[str, tuple[str, Integration]] = {}  # name -> (config hash, integration)
        with db.connect(url) as conn:
            db.check_migrated(conn)

    def _connect(self) -> psycopg.Connection[Any]:
        return db.connect(self.url, autocommit=True)

    def _store(self, name: str) -> PostgresStateStore:
        return PostgresStateStore(self._connect(), name)

    # ---- /kunder ------------------------------------------------------------------------------
    def rows(self) -> list[TenantRow]:
        with self._connect() as conn:
            found = tenants.active(conn)
        return [self._row(t) for t in found]

    def _row(self, tenant: tenants.TenantConfig) -> TenantRow:
        row = TenantRow(tenant.tenant, master=tenant.master)
        try:
            settings = settings_from(tenant.schedule)
            store = self._store(tenant.tenant)
            try:
                facts = backend_waiting.status_facts(store)
            finally:
                store.close()
        except Exception as exc:  # one tenant's unreadable state must not hide the others
            row.problems = [f"tilstanden kunne ikke leses: {db._first_line(exc)}"]
            return row
        now = backend_waiting.now()
        status = build_status(facts, settings, now)
        row.healthy = bool(status["healthy"])
        row.problems = health_problems(facts, settings, now)
        cycles = status["cycles"]
        lags = [c["lag_s"] for c in cycles.values() if c.get("lag_s") is not None]
        row.lag_s = max(lags) if lags else None
        nexts = sorted(c["next"] for c in cycles.values() if c.get("next"))
        row.next_cycle = nexts[0] if nexts else None
        errors = [c["error"] for k in KINDS if (c := cycles.get(k)) and c.get("error")]
        row.last_error = (errors[0].get("explanation") or errors[0].get("message")) if errors else None
        row.waiting = len(status["waiting"])
        return row

    # ---- a tenant's pages -----------------------------------------------------------------------
    def integration(self, name: str) -> Integration | None:
        with self._connect() as conn:
            tenant = tenants.current(conn, name)
        if tenant is None:
            return None
        with self._lock:
            served = self._served.get(name)
            if served is not None and served[0] == tenant.config_hash:
                return served[1]
            folder = self._root / f"{name}-{tenant.version}"
            shutil.rmtree(folder, ignore_errors=True)
            config = tenants.materialise(tenant, folder)
            integration = self._integration(tenant, config)
            if served is not None:
                served[1].close()
            self._served[name] = (tenant.config_hash, integration)
            return integration

    def _integration(self, tenant: tenants.TenantConfig, config: Path) -> Integration:
        name, secrets_file = tenant.tenant, tenant.secrets_file

        def save_version(path: Path) -> None:
            with self._connect() as conn:
                tenants.add(conn, name, tenants.read_setup(str(path)), secrets_file)

        return Integration(
            config,
            transports=self.transports,
            name=name,
            secrets=lambda: tenant_secrets(name, secrets_file),
            store=lambda session: self._store(name),
            journal=lambda session: _StoreJournal(self._store(name)),
            has_journal=lambda session: True,
            connect=None if self.transports is not None else self._connection(name, secrets_file),
            on_saved=save_version,
        )

    def _connection(self, name: str, secrets_file: str | None) -> Any:
        url = self.url

        @asynccontextmanager
        async def connect(session: Any) -> AsyncIterator[Any]:
            """Both clients for the tenant, PowerOffice paced by the budget its workers share."""
            from psycopg_pool import AsyncConnectionPool

            from grunndata.engine import runner

            secrets = tenant_secrets(name, secrets_file)
            async with AsyncConnectionPool(url, min_size=1, max_size=2, kwargs={"autocommit": True}) as pool:
                limiter = PgRateLimiter(pool, secrets.poweroffice_subscription_key, name)
                conn = runner.connect(session, secrets, rate_per_second=None, po_limiter=limiter)
                try:
                    async with conn:
                        yield conn
                finally:
                    await limiter.drain()

        return connect

    def close(self) -> None:
        with self._lock:
            for _, integration in self._served.values():
                integration.close()
            self._served.clear()
        shutil.rmtree(self._root, ignore_errors=True)
