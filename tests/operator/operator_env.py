"""A multi-tenant sandbox on loopback, tenants added to a fresh database, and ``grunndata worker``
children, for the operator's end-to-end tests."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from click.testing import CliRunner

from grunndata.cli.main import cli
from grunndata.operator.tenant_secrets import env_prefix
from grunndata.sandbox import Sandbox
from grunndata.sandbox.tenants_world import tenant_credentials

WORKER_ENV = {"GRUNNDATA_DISPATCH_SECONDS": "1", "GRUNNDATA_WORKER_STALLED_SECONDS": "3"}


def secret_env(name: str) -> dict[str, str]:
    creds = tenant_credentials(name, 1)
    values = {"SMARTDOK_API_TOKEN": creds["smartdok"]["api_token"],
              "POWEROFFICE_APPLICATION_KEY": creds["poweroffice"]["application_key"],
              "POWEROFFICE_CLIENT_KEY": creds["poweroffice"]["client_key"],
              "POWEROFFICE_SUBSCRIPTION_KEY": creds["poweroffice"]["subscription_key"]}
    return {env_prefix(name) + k: v for k, v in values.items()}


@dataclass
class Operator:
    sb: Sandbox
    urls: Any
    db: str
    tmp: Path
    names: list[str]
    workers: list[subprocess.Popen] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        out = {**os.environ, "GRUNNDATA_DATABASE_URL": self.db, "PYTHONUNBUFFERED": "1", **WORKER_ENV}
        for name in self.names:
            out.update(secret_env(name))
        return out

    def cli(self, *args: str) -> Any:
        return CliRunner().invoke(cli, list(args), env=self.env(), catch_exceptions=False)

    def write_config(self, name: str, schedule: dict[str, str] | None = None) -> Path:
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        (folder / "kunde.yaml").write_text("unattended:\n  max_writes: 500\n", encoding="utf-8")
        cfg = {"master": "smartdok", "standard_project": "9000",
               "smartdok": {"base_url": self.urls.smartdok},
               "poweroffice": {"base_url": self.urls.poweroffice, "token_url": self.urls.token},
               "schedule": schedule or {"sync": "2s", "alert_after": "1h"}, "rules": ["kunde.yaml"]}
        path = folder / "grunndata.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        return path

    def start_worker(self, *extra: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "worker", "--concurrency", "3", *extra],
                                cwd=self.tmp, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        self.workers.append(proc)
        return proc

    def stop_workers(self) -> list[str]:
        outputs = []
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                out, _ = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            outputs.append(out or "")
        self.workers = []
        return outputs

    # ---- the database ----
    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.db, autocommit=True) as conn:
            return list(conn.execute(sql, args).fetchall())

    def waiting(self, name: str) -> list[int]:
        return [r[0] for r in self.query("SELECT run_id FROM grunndata.state_waiting WHERE tenant=%s AND outcome IS NULL",
                                         name)]

    # ---- the systems ----
    def codes(self, name: str) -> list[str]:
        return [str(p.get("Code")) for p in self.sb.world(name)["poweroffice"].get("Projects") or []]

    def numbers(self, name: str) -> list[str]:
        return [str(p["ProjectNumber"]) for p in self.sb.world(name)["smartdok"].get("Projects") or []]

    def converged(self, name: str) -> bool:
        codes = self.codes(name)
        return all(codes.count(n) == 1 for n in self.numbers(name))

    def new_smartdok_project(self, name: str, number: str, title: str) -> None:
        creds = tenant_credentials(name, 1)
        token = httpx.post(f"{self.urls.smartdok}/Authorize/ApiToken",
                           json={"Token": creds["smartdok"]["api_token"]}).json()
        bearer = token if isinstance(token, str) else token.get("Token", "")
        answer = httpx.post(f"{self.urls.smartdok}/Projects", headers={"Authorization": f"Bearer {bearer}"},
                            json={"ProjectNumber": number, "ProjectName": title, "IsActive": True})
        assert answer.status_code < 300, answer.text

    def rate(self) -> dict[str, int]:
        [only] = self.sb.rates().values()
        return only

    def status(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.cli("tenant", "status", "--json", *args)
        return result.exit_code, json.loads(result.output)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 120.0,
             procs: list[subprocess.Popen] | None = None) -> Any:
    """Poll ``check`` until truthy (bounded); the workers must still be running."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        for proc in procs or []:
            if proc.poll() is not None:
                raise AssertionError(f"a worker ended ({proc.returncode}) before {what}: {proc.stdout.read() if proc.stdout else ''}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
