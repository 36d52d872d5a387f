"""``grunndata console`` as a consultant starts it: the address on the first line, loopback only."""
from __future__ import annotations

import re
import subprocess
import sys

import httpx
from console_env import demo_world
from console_stack import console_env, stack

ADDRESS = re.compile(r"^http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{40,})$")


def test_the_first_line_is_the_address_with_a_token_and_it_logs_in(tmp_path):
    with stack(tmp_path, demo_world()) as s:
        found = ADDRESS.match(s.url)
        assert found, s.url
        port = int(found.group(1))
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as c:
            assert c.get("/oppsett").status_code == 401
            assert c.get("/?token=wrong").status_code == 401
            r = c.get(s.url)
            assert r.status_code == 303 and r.headers["location"] == "/"
            assert f"grunndata_console_{port}=" in r.headers["set-cookie"]
            assert c.get("/oppsett").status_code == 200
        # bound to loopback only: the kernel's table has it listening on 127.0.0.1, not on 0.0.0.0
        assert listening_addresses(port) == {"0100007F"}


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as fh:
            for line in fh.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_a_missing_config_file_is_one_clear_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "console", "-c", str(tmp_path / "nei.yaml"),
                        "--port", "0"], capture_output=True, text=True, env=console_env(), timeout=60)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and "nei.yaml" in r.stderr and "Traceback" not in r.stderr


def test_a_port_in_use_is_one_clear_line(tmp_path):
    with stack(tmp_path, demo_world()) as s:
        port = ADDRESS.match(s.url).group(1)
        r = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "console", "-c", str(s.config),
                            "--port", port], capture_output=True, text=True, env=console_env(), timeout=60)
        assert r.returncode == 1 and r.stdout == ""
        assert f"127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr


def test_auth_without_the_password_variable_refuses_to_start_in_one_norwegian_line(tmp_path):
    env = console_env()
    env.pop("GRUNNDATA_CONSOLE_PASSWORD", None)
    r = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "console", "--auth", "--port", "0"],
                       capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert "--auth krever passordet i miljøvariabelen GRUNNDATA_CONSOLE_PASSWORD" in r.stderr


def test_auth_prints_the_address_without_a_token_and_asks_for_the_password(tmp_path):
    password = "sentinel-console-pw-4e5f"
    env = {**console_env(), "GRUNNDATA_CONSOLE_PASSWORD": password}
    from console_env import write_config
    from console_stack import start_console, stop

    config = write_config(tmp_path)
    process, line = start_console(["--auth", "--port", "0", "-c", str(config)], tmp_path, env)
    try:
        found = re.match(r"^http://127\.0\.0\.1:(\d+)/$", line)
        assert found, line
        with httpx.Client(base_url=line.rstrip("/"), follow_redirects=False, timeout=30) as c:
            ask = c.get("/oppsett")
            assert ask.status_code == 401 and "Logg inn i grunndata-konsollen" in ask.text
            assert password not in ask.text
            token = ask.text.split('name="login" value="', 1)[1].split('"', 1)[0]
            ok = c.post("/logg-inn", data={"login": token, "passord": password, "neste": "/oppsett"})
            assert ok.status_code == 303 and ok.headers["location"] == "/oppsett"
            page = c.get("/oppsett")
            assert page.status_code == 200 and password not in page.text
    finally:
        stop(process)
