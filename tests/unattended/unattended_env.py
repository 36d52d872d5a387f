"""A small sandbox world served over loopback, and ``grunndata`` run against it (in process or as a
child), for the unattended end-to-end tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from click.testing import CliRunner

from grunndata.cli.main import cli
from grunndata.sandbox import Sandbox

SECRET_VALUES = {
    "SMARTDOK_API_TOKEN": "unattended-sd-3c4d5e6f7a",
    "POWEROFFICE_APPLICATION_KEY": "unattended-app-8b9c0d1e2f",
    "POWEROFFICE_CLIENT_KEY": "unattended-client-4a5b6c7d8e",
    "POWEROFFICE_SUBSCRIPTION_KEY": "unattended-sub-9f0a1b2c3d",
    "GRUNNDATA_POWEROFFICE_RATE": "0",
}


def small_world(projects: int = 12) -> dict[str, Any]:
    """SmartDok master with ``projects`` projects in step on both sides, one sub-project each
    for the first three, the standard project 9000 in PowerOffice."""
    sd, po, subs = [], [{"Id": 9000, "Code": "9000", "Name": "Standard", "ProjectStatus": "Active",
                         "ProjectBillingMethod": "Time"}], []
    for i in range(projects):
        number = str(2300 + i)
        sd.append({"Id": 1 + i, "ProjectNumber": number, "ProjectName": f"Prosjekt {number}", "IsActive": True,
                   "Finished": False})
        po.append({"Id": 900 + i, "Code": number, "Name": f"Prosjekt {number}", "ProjectStatus": "Active",
                   "ProjectBillingMethod": "Time"})
    for i in range(min(3, projects)):
        subs.append({"Id": 100 + i, "ProjectId": 1 + i, "SubProjectNumber": "1", "SubProjectName": "Grunnarbeid",
                     "IsActive": True})
    return {"smartdok": {"Projects": sd, "SubProjects": subs}, "poweroffice": {"Projects": po}}


@dataclass
class Env:
    sb: Sandbox
    tmp: Path
    urls: Any

    @property
    def config(self) -> Path:
        return self.tmp / "grunndata.yaml"

    def write_config(self, schedule: dict[str, str] | None = None, rules: str | None = None) -> None:
        cfg: dict[str, Any] = {"master": "smartdok", "standard_project": "9000",
                               "smartdok": {"base_url": self.urls.smartdok},
                               "poweroffice": {"base_url": self.urls.poweroffice, "token_url": self.urls.token}}
        if schedule:
            cfg["schedule"] = schedule
        if rules:
            (self.tmp / "kunde.yaml").write_text(rules, encoding="utf-8")
            cfg["rules"] = ["kunde.yaml"]
        self.config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")

    # ---- the command line ----
    def cli(self, *args: str) -> Any:
        return CliRunner().invoke(cli, [*args], catch_exceptions=False)

    def child(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", *args], cwd=self.tmp,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def status(self) -> tuple[int, dict[str, Any]]:
        result = self.cli("status", "--json")
        return result.exit_code, json.loads(result.output)

    # ---- the vendors' APIs, as a person in each system would change them ----
    def api(self, system: str, method: str, path: str, body: Any = None, content_type: str | None = None) -> Any:
        if system == "smartdok":
            token = httpx.post(f"{self.urls.smartdok}/Authorize/ApiToken",
                               json={"Token": SECRET_VALUES["SMARTDOK_API_TOKEN"]}).json()
            headers = {"Authorization": f"Bearer {token if isinstance(token, str) else token.get('Token', '')}"}
            base = self.urls.smartdok
        else:
            answer = httpx.post(self.urls.token, data={"grant_type": "client_credentials"},
                                auth=(SECRET_VALUES["POWEROFFICE_APPLICATION_KEY"],
                                      SECRET_VALUES["POWEROFFICE_CLIENT_KEY"]),
                                headers={"Ocp-Apim-Subscription-Key": SECRET_VALUES["POWEROFFICE_SUBSCRIPTION_KEY"]})
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}",
                       "Ocp-Apim-Subscription-Key": SECRET_VALUES["POWEROFFICE_SUBSCRIPTION_KEY"]}
            base = self.urls.poweroffice
        if content_type is not None:
            headers["Content-Type"] = content_type
            response = httpx.request(method, base + path, content=json.dumps(body).encode(), headers=headers)
        else:
            response = httpx.request(method, base + path, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def sd_change(self, project_id: int, **changes: Any) -> None:
        """Change a SmartDok project as a person would: read it, PUT it back changed."""
        record = self.api("smartdok", "GET", f"/Projects/{project_id}")
        body = {k: v for k, v in record.items() if k not in ("Id", "Created", "Updated")}
        self.api("smartdok", "PUT", f"/Projects/{project_id}", {**body, **changes})

    def sd_new(self, number: str, name: str) -> Any:
        return self.api("smartdok", "POST", "/Projects", {"ProjectNumber": number, "ProjectName": name,
                                                          "IsActive": True})

    def po_change(self, project_id: int, **changes: Any) -> None:
        ops = [{"op": "replace", "path": f"/{k}", "value": v} for k, v in changes.items()]
        self.api("poweroffice", "PATCH", f"/Projects/{project_id}", ops, "application/json-patch+json")

    # ---- the state of both systems ----
    def records(self, system: str, resource: str) -> list[dict[str, Any]]:
        return self.sb.world()[system].get(resource) or []

    def po_by_code(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for rec in self.records("poweroffice", "Projects"):
            out.setdefault(str(rec.get("Code")), []).append(rec)
        return out


@contextmanager
def served(world: dict[str, Any], tmp_path: Path, monkeypatch: Any, **config: Any) -> Iterator[Env]:
    """``world`` served on free loopback ports, the secrets in the environment, a config in
    ``tmp_path`` (``config``: write_config's arguments) and ``tmp_path`` the working folder."""
    from grunndata.sandbox.server import serve_in_thread

    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    sb = Sandbox(world, rate_limit=False)
    with serve_in_thread(sb) as urls:
        env = Env(sb, tmp_path, urls)
        env.write_config(**config)
        monkeypatch.chdir(tmp_path)
        yield env


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> Any:
    """Poll ``check`` until it is truthy (bounded); the child must still be running."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the child ended ({proc.returncode}) before {what}: {proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            if proc is not None:
                proc.kill()  # never leave a child running after a failed test
                proc.communicate(timeout=30)
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
