"""``grunndata tenant``: validation with the usual positions, stored versions, listing, removal,
status exit codes, and secrets never in the database."""
from __future__ import annotations

import json
import os

import psycopg
from click.testing import CliRunner

from grunndata.cli.main import cli


def run(url, *args, env=None):
    return CliRunner().invoke(cli, list(args), env={"GRUNNDATA_DATABASE_URL": url, **(env or {})},
                              catch_exceptions=False)


def config(tmp_path, name="a", rules="unattended:\n  max_writes: 50\n", schedule="15m"):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "kunde.yaml").write_text(rules, encoding="utf-8")
    path = folder / "grunndata.yaml"
    path.write_text(f"master: smartdok\nstandard_project: \"9000\"\nschedule:\n  sync: {schedule}\nrules: [kunde.yaml]\n", encoding="utf-8")
    return path


def test_add_list_replace_remove_keep_history(pg_url, tmp_path):
    path = config(tmp_path)
    added = run(pg_url, "tenant", "add", "acme-bygg", "--config", str(path))
    assert added.exit_code == 0, added.output
    listed = json.loads(run(pg_url, "tenant", "list", "--json").output)
    assert [set(t) for t in listed] == [{"name", "master", "config_hash", "added_at"}]
    assert listed[0]["name"] == "acme-bygg" and listed[0]["master"] == "smartdok"
    first_hash = listed[0]["config_hash"]
    config(tmp_path, rules="unattended:\n  max_writes: 60\n")
    assert run(pg_url, "tenant", "add", "acme-bygg", "--config", str(path)).exit_code == 0
    [again] = json.loads(run(pg_url, "tenant", "list", "--json").output)
    assert again["config_hash"] != first_hash
    assert run(pg_url, "tenant", "remove", "acme-bygg").exit_code == 0
    assert json.loads(run(pg_url, "tenant", "list", "--json").output) == []
    with psycopg.connect(pg_url) as conn:
        versions = conn.execute("SELECT rule_files->0->>'text' FROM grunndata.tenant_configs "
                                "WHERE tenant='acme-bygg' ORDER BY id").fetchall()
    assert [v[0] for v in versions] == ["unattended:\n  max_writes: 50\n", "unattended:\n  max_writes: 60\n"]
    gone = run(pg_url, "tenant", "remove", "acme-bygg")
    assert gone.exit_code == 1 and "ingen kunde" in gone.output


def test_bad_rules_name_file_line_col_and_store_nothing(pg_url, tmp_path):
    path = config(tmp_path, rules="unattended:\n  max_writes: mange\n", schedule="15 min")
    result = run(pg_url, "tenant", "add", "acme", "--config", str(path))
    assert result.exit_code == 1
    assert "grunndata.yaml:4:9" in result.output and "kunde.yaml:2:" in result.output
    assert "Traceback" not in result.output
    assert json.loads(run(pg_url, "tenant", "list", "--json").output) == []


def test_secrets_file_must_be_owner_only_and_never_stored(pg_url, tmp_path):
    secrets = tmp_path / "acme.env"
    secrets.write_text("SMARTDOK_API_TOKEN=very-secret-token-123\n", encoding="utf-8")
    os.chmod(secrets, 0o644)
    refused = run(pg_url, "tenant", "add", "acme", "--config", str(config(tmp_path)), "--secrets-file", str(secrets))
    assert refused.exit_code == 1 and "chmod 600" in refused.output
    os.chmod(secrets, 0o600)
    assert run(pg_url, "tenant", "add", "acme", "--config", str(config(tmp_path)),
               "--secrets-file", str(secrets)).exit_code == 0
    with psycopg.connect(pg_url) as conn:
        dump = json.dumps([list(map(str, r)) for r in conn.execute("SELECT * FROM grunndata.tenant_configs")])
    assert "very-secret-token-123" not in dump and str(secrets) in dump


def test_bad_name_and_unknown_tenant(pg_url, tmp_path):
    bad = run(pg_url, "tenant", "add", "../x", "--config", str(config(tmp_path)))
    assert bad.exit_code == 1 and "gyldig kundenavn" in bad.output
    for args in (("approve", "nobody", "1"), ("reject", "nobody", "1"), ("status", "nobody"), ("sync", "nobody")):
        result = run(pg_url, "tenant", *args)
        assert result.exit_code == 1 and "ingen kunde" in result.output, (args, result.output)


def test_status_json_shape_and_unhealthy_exit(pg_url, tmp_path):
    assert run(pg_url, "tenant", "add", "acme", "--config", str(config(tmp_path))).exit_code == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO grunndata.state_cycles (tenant, kind, mode, started, finished, ok, error) VALUES "
                     "('acme', 'sync', 'full', now(), now(), false, '{\"message\": \"x\", \"explanation\": \"y\"}')")
    result = run(pg_url, "tenant", "status", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 1 and list(data) == ["tenants"]
    tenant = data["tenants"]["acme"]
    assert tenant["healthy"] is False and set(tenant["cycles"]) >= {"sync", "full", "transfer"}
    assert tenant["cycles"]["sync"]["error"] == {"message": "x", "explanation": "y"}
    assert "achieved_interval_s" in tenant
    text = run(pg_url, "tenant", "status")
    assert text.exit_code == 1 and "== acme" in text.output


def test_without_database_url_or_migration_one_line(pg_empty):
    missing = CliRunner().invoke(cli, ["tenant", "list"], env={"GRUNNDATA_DATABASE_URL": ""})
    assert missing.exit_code == 1 and "GRUNNDATA_DATABASE_URL" in missing.output
    unmigrated = run(pg_empty, "tenant", "list")
    assert unmigrated.exit_code == 1 and "operator migrate" in unmigrated.output
    nobody = run("postgresql://postgres@127.0.0.1:1/x", "operator", "migrate")
    assert nobody.exit_code == 1 and "får ikke kontakt" in nobody.output and "Traceback" not in nobody.output
