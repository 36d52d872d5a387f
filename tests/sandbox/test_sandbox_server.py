"""Real loopback HTTP: serve_in_thread and the ``grunndata sandbox`` command."""
from __future__ import annotations

import asyncio
import base64
import json
import resource
import subprocess

import httpx
import pytest
from sandbox_helpers import BASIC, SUBSCRIPTION, WORLD_FILE, run
from sandbox_process import grunndata_command, sandbox_process

from grunndata.sandbox import serve_in_thread


def test_serve_in_thread_speaks_real_http(sb):
    with serve_in_thread(sb) as (smartdok_url, poweroffice_url, token_url):
        assert poweroffice_url.endswith("/v2") and token_url.endswith("/OAuth/Token")

        async def go():
            async with httpx.AsyncClient(headers=SUBSCRIPTION, timeout=5) as po:
                token = (await po.post(token_url, data={"grant_type": "client_credentials"},
                                       headers={"Authorization": BASIC})).json()["access_token"]
                po.headers["Authorization"] = f"Bearer {token}"
                projects = await po.get(f"{poweroffice_url}/Projects")
                empty = await po.get(f"{poweroffice_url}/Projects", params={"PageNumber": 5})
            async with httpx.AsyncClient(base_url=smartdok_url, timeout=5) as sd:
                session = (await sd.post("/Authorize/ApiToken", json={"Token": "t"})).json()
                sd_projects = await sd.get("/Projects", headers={"Authorization": f"Bearer {session}"})
            return projects, empty, sd_projects

        projects, empty, sd_projects = run(go())
    assert projects.status_code == 200 and len(projects.json()) == 4
    assert empty.status_code == 204 and empty.content == b""
    assert sd_projects.json()["Count"] == 2


def test_drop_and_delay_over_real_http(sb):
    sb.add_fault("poweroffice", "POST", "/v2/Products", drop_after_commit=True)
    sb.add_fault("poweroffice", "GET", "/v2/Customers", delay=0.5)
    with serve_in_thread(sb) as urls:
        async def go():
            async with httpx.AsyncClient(headers=SUBSCRIPTION) as po:
                token = (await po.post(urls.token, data={"grant_type": "client_credentials"},
                                       headers={"Authorization": BASIC})).json()["access_token"]
                po.headers["Authorization"] = f"Bearer {token}"
                with pytest.raises(httpx.TransportError) as dropped:
                    await po.post(f"{urls.poweroffice}/Products", json={"Code": "M-20", "Name": "Dumper"})
                with pytest.raises(httpx.TimeoutException):
                    await po.get(f"{urls.poweroffice}/Customers", timeout=0.2)
                after = await po.get(f"{urls.poweroffice}/Products", params={"codes": "M-20"})
                return dropped.value, after

        dropped, after = run(go())
    assert isinstance(dropped, httpx.RemoteProtocolError)
    assert after.status_code == 200 and after.json()[0]["Name"] == "Dumper"


def test_grunndata_sandbox_starts_and_serves_on_little_cpu():
    # "Serves within two seconds", measured as the CPU the sandbox process uses to start and answer
    # (a busy machine delays a process, it does not make it use more CPU; see docs/TESTING.md).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with sandbox_process("--world", str(WORLD_FILE), timeout=10) as (proc, urls):
        with httpx.Client(headers=SUBSCRIPTION, timeout=5) as po:
            token = po.post(urls["Token"], data={"grant_type": "client_credentials"},
                            headers={"Authorization": BASIC}).json()["access_token"]
            projects = po.get(f"{urls['PowerOffice']}/Projects", headers={"Authorization": f"Bearer {token}"})
            unauthorised = po.get(f"{urls['PowerOffice']}/Projects")
        assert projects.status_code == 200 and {p["Code"] for p in projects.json()} >= {"202601", "202601.1"}
        assert unauthorised.status_code == 401
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0, proc.stderr.read()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 2.0, f"the sandbox used {cpu:.2f} s of CPU to start and answer"


def test_grunndata_sandbox_serves_a_world_of_tenants(tmp_path):
    from grunndata.sandbox.tenants_world import tenant_credentials, tenants_world

    path = tmp_path / "tenants.json"
    path.write_text(json.dumps(tenants_world(3, projects=[2, 3, 4])), encoding="utf-8")
    with sandbox_process("--world", str(path), until="Selskaper", timeout=10) as (proc, urls):
        assert urls["Selskaper"] == "3"
        control = urls["Token"].rsplit("/OAuth", 1)[0] + "/_sandbox"

        async def company(name: str) -> tuple[int, int]:
            creds = tenant_credentials(name)
            po_creds = creds["poweroffice"]
            async with httpx.AsyncClient(timeout=5) as client:
                session = (await client.post(f"{urls['SmartDok']}/Authorize/ApiToken",
                                             json={"Token": creds["smartdok"]["api_token"]})).json()
                listed = await client.get(f"{urls['SmartDok']}/Projects", headers={"Authorization": f"Bearer {session}"})
                headers = {"Ocp-Apim-Subscription-Key": po_creds["subscription_key"]}
                basic = base64.b64encode(f"{po_creds['application_key']}:{po_creds['client_key']}".encode()).decode()
                token = (await client.post(urls["Token"], data={"grant_type": "client_credentials"},
                                           headers={**headers, "Authorization": f"Basic {basic}"})).json()
                projects = await client.get(f"{urls['PowerOffice']}/Projects",
                                            headers={**headers, "Authorization": f"Bearer {token['access_token']}"})
                return listed.json()["Count"], len(projects.json())

        async def go():
            counts = await asyncio.gather(*(company(f"firma-000{i}") for i in (1, 2, 3)))
            async with httpx.AsyncClient(timeout=5) as client:
                refused = await client.get(f"{control}/stats")
                every = await client.get(f"{control}/stats", params={"tenant": "*"})
            return counts, refused, every

        counts, refused, every = run(go())
        assert counts == [(2, 1), (3, 1), (4, 1)]  # each company its own projects; PowerOffice's standard one
        assert refused.status_code == 400 and refused.json()["tenants"] == ["firma-0001", "firma-0002", "firma-0003"]
        assert every.json()["tenants"]["firma-0002"]["requests"] == {"POST /OAuth/Token": 1, "GET /v2/Projects": 1}
        (seen,) = every.json()["rate"].values()  # one subscription key, shared by the three
        assert seen["requests"] == 6 and seen["429"] == 0 and 1 <= seen["max_per_second"] <= 6
    assert proc.returncode == 0, proc.stderr.read()


def test_grunndata_sandbox_with_a_bad_world_says_so_in_one_line(tmp_path):
    bad = tmp_path / "verden.yaml"
    bad.write_text("poweroffice:\n  Projects:\n    - {Code: '1.2', Name: Punktum}\n", encoding="utf-8")
    result = subprocess.run([*grunndata_command(), "sandbox", "--world", str(bad), "--smartdok-port", "0",
                             "--poweroffice-port", "0"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "verden.yaml" in lines[0] and "'.' is not allowed" in lines[0]


def test_port_clashes_are_clear_errors(sb):
    import socket

    from grunndata.errors import GrunndataError
    from grunndata.sandbox.server import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(GrunndataError, match=f"cannot listen on 127.0.0.1:{port}"):
            run(serve(sb, "127.0.0.1", 0, port))
    with pytest.raises(GrunndataError, match="cannot share port"):
        run(serve(sb, "127.0.0.1", 8090, 8090))
