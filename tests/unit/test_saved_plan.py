"""A saved plan is applied exactly as it was made, or not at all (issue 11, item 3).

A hand-edited plan file is refused with exit 3 and one Norwegian line naming what differs, before
the first request when the file itself shows it (digest, shape, master, rules), and before the
first write when only planning afresh shows it (a digest recomputed over an edited action).
"""
from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from grunndata.cli.main import cli
from grunndata.engine.model import Action
from grunndata.engine.plan import action_digests, plan_digest
from grunndata.sandbox import Sandbox
from grunndata.sandbox.demo import demo_world_path
from grunndata.sandbox.server import serve_in_thread

SECRETS = {
    "SMARTDOK_API_TOKEN": "saved-plan-sd-0123456789",
    "POWEROFFICE_APPLICATION_KEY": "saved-plan-app-0123456789",
    "POWEROFFICE_CLIENT_KEY": "saved-plan-client-0123456789",
    "POWEROFFICE_SUBSCRIPTION_KEY": "saved-plan-sub-0123456789",
    "GRUNNDATA_POWEROFFICE_RATE": "0",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("saved")
    sb = Sandbox.from_file(demo_world_path(), rate_limit=False)
    with serve_in_thread(sb) as urls:
        config = tmp / "grunndata.yaml"
        config.write_text(yaml.safe_dump({
            "master": "smartdok", "standard_project": "9000",
            "smartdok": {"base_url": urls.smartdok},
            "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}}), encoding="utf-8")
        plan_file = tmp / "plan.json"
        made = CliRunner().invoke(cli, ["plan", "--out", str(plan_file), "-c", str(config)], env=SECRETS)
        assert made.exit_code == 0, made.output
        yield sb, config, json.loads(plan_file.read_text(encoding="utf-8")), tmp


def requests(sb: Sandbox) -> int:
    return sum(sum(counts.values()) for counts in sb.stats().values())


def writes(sb: Sandbox) -> int:
    return sb.write_count("smartdok") + sb.write_count("poweroffice")


def apply_edited(served, data: dict[str, Any], name: str) -> tuple[int, str, int, int]:
    """Apply the plan file ``data``; the exit code, the message, and the requests and writes it made."""
    sb, config, _, tmp = served
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before, written = requests(sb), writes(sb)
    result = CliRunner().invoke(cli, ["apply", "--plan", str(path), "--yes", "-c", str(config)], env=SECRETS)
    return result.exit_code, result.output.strip(), requests(sb) - before, writes(sb) - written


def copy(served) -> dict[str, Any]:
    return json.loads(json.dumps(served[2]))


def redigest(data: dict[str, Any]) -> None:
    """What a careful editor would do: make the digests fit the edited actions."""
    actions = [Action(**a) for a in data["actions"]]
    data["digest"], data["action_digests"] = plan_digest(actions), action_digests(actions)


def index_of(data: dict[str, Any], op: str, entity: str) -> int:
    return next(i for i, a in enumerate(data["actions"]) if a["op"] == op and a["entity"] == entity)


def test_the_plan_file_records_a_digest_of_its_actions(served):
    data = copy(served)
    actions = [Action(**a) for a in data["actions"]]
    assert data["format"] == 2 and data["digest"] == plan_digest(actions)
    assert data["action_digests"] == action_digests(actions)


def test_a_changed_name_is_refused_before_any_request(served):
    data = copy(served)
    i = index_of(data, "create", "projects")
    data["actions"][i]["fields"]["name"] = "Endret for hånd"
    code, message, sent, written = apply_edited(served, data, "name")
    assert code == 3 and len(message.splitlines()) == 1, message
    key = data["actions"][i]["key"]
    assert f"handling {i + 1} (create projects {key}) er endret" in message
    assert sent == 0 and written == 0


def test_an_unknown_op_is_refused_before_any_request(served):
    data = copy(served)
    data["actions"][0]["op"] = "delete"
    code, message, sent, _ = apply_edited(served, data, "op")
    assert code == 3 and len(message.splitlines()) == 1, message
    assert "handling 1: ukjent operasjon «delete»" in message
    assert "Traceback" not in message and sent == 0


def test_an_unknown_entity_is_refused_before_any_request(served):
    """Even a plan whose digests fit (made where another plugin was installed) is refused at once,
    not after the writes of the entities before it."""
    data = copy(served)
    i = index_of(data, "create", "machines")
    data["actions"][i]["entity"] = "departments"
    redigest(data)
    code, message, sent, _ = apply_edited(served, data, "entity")
    assert code == 3 and len(message.splitlines()) == 1, message
    assert f"handling {i + 1}" in message and "ingen tillegg håndterer entiteten «departments»" in message
    assert sent == 0


def test_a_removed_parent_create_is_refused_before_any_request(served):
    data = copy(served)
    creates = {a["key"]: i for i, a in enumerate(data["actions"]) if a["op"] == "create" and a["entity"] == "projects"}
    i = next(creates[a["fields"]["parent"]] for a in data["actions"]
             if a["op"] == "create" and a["entity"] == "subprojects" and a["fields"]["parent"] in creates)
    del data["actions"][i]
    code, message, sent, _ = apply_edited(served, data, "parent")
    assert code == 3 and len(message.splitlines()) == 1, message
    assert f"handling {i + 1} er fjernet fra planen" in message
    assert f"planen ble laget med {len(served[2]['actions'])} handlinger" in message
    assert sent == 0


def test_a_master_that_contradicts_the_config_is_refused_before_any_request(served):
    data = copy(served)
    data["master"] = "poweroffice"
    code, message, sent, _ = apply_edited(served, data, "master")
    assert code == 3 and len(message.splitlines()) == 1, message
    assert "planen ble laget med «poweroffice» som master, men oppsettet sier «smartdok»" in message
    assert sent == 0


def test_an_edit_with_fitting_digests_is_refused_before_any_write(served):
    """The last line of defence: the same world and rules give the same writes, or none are made."""
    data = copy(served)
    i = index_of(data, "create", "projects")
    data["actions"][i]["fields"]["name"] = "Endret for hånd"
    redigest(data)
    code, message, sent, written = apply_edited(served, data, "redigested")
    assert code == 3 and len(message.splitlines()) == 1, message
    assert f"handling {i + 1} (create projects" in message and "ikke det samme som planlegging gir nå" in message
    assert 'feltet «name» er "Endret for hånd" i planfilen' in message
    assert sent > 0 and written == 0  # it read both systems, and wrote nothing


@pytest.mark.parametrize("edit,words", [
    (lambda d: d.update(format=1), "eldre versjon"),
    (lambda d: d.pop("digest"), "«digest» mangler"),
    (lambda d: d["actions"][0].update(target="fiken"), "ukjent system «fiken»"),
    (lambda d: d["actions"][0].update(fields=[1]), "«fields» skal være et objekt"),
    (lambda d: d["actions"][0].pop("key"), "mangler «key»"),
])
def test_a_plan_file_of_the_wrong_shape_is_one_line_and_exit_3(served, edit, words):
    data = copy(served)
    edit(data)
    code, message, sent, _ = apply_edited(served, data, "shape")
    assert code == 3 and len(message.splitlines()) == 1 and words in message, message
    assert sent == 0


def test_an_unedited_plan_is_applied(served):
    try:
        code, message, _, written = apply_edited(served, copy(served), "unedited")
    finally:
        served[0].reset()  # the world the plan was made from, for the other tests
    assert code == 0, message
    assert written == sum(1 for a in served[2]["actions"] if a["op"] in ("create", "update", "finish"))
