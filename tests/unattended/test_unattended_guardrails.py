"""Guardrails for unattended writes: every limit at, under and over its bound."""
from __future__ import annotations

import pytest
import yaml

from grunndata.engine.planner import make_plan
from grunndata.rulebook.yamlpos import RuleFileError
from grunndata.unattended.guardrails import check_plan, guardrail_limits, percent, receiving_counts

from _unattended_world import SHIPPED, actions, plan, session, shipped_line, snapshot


@pytest.fixture(scope="module")
def shipped_session(tmp_path_factory):
    return session(tmp_path_factory.mktemp("shipped"))


def where(key: str) -> str:
    return f"rules/unattended.yaml:{shipped_line(key)}"


def test_shipped_limits(shipped_session):
    limits = guardrail_limits(shipped_session.rules)
    assert limits.allow == ("create", "update", "finish")
    assert (limits.max_writes, limits.max_finish, limits.max_finish_share) == (200, 10, 0.05)
    assert limits.where["max_finish"] == where("max_finish")


def test_schema_defaults_are_the_shipped_values(shipped_session):
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    props = shipped_session.schema["properties"]
    assert props["unattended"]["default"] == shipped["unattended"]
    for key, value in shipped["unattended"].items():
        assert props["unattended"]["properties"][key]["default"] == value
        assert props["unattended"]["properties"][key]["description"]
    assert props["incremental"]["properties"]["overlap"]["default"] == "2m"


def test_an_empty_plan_may_write(shipped_session):
    verdict = check_plan(plan(), {}, shipped_session.rules)
    assert verdict.may_write and verdict.reason == ""


@pytest.mark.parametrize("n,ok", [(199, True), (200, True), (201, False)])
def test_max_writes(shipped_session, n, ok):
    # Creates and updates only, so no other limit applies.
    p = plan(actions("create", n - n // 2), actions("update", n // 2, start=5000))
    verdict = check_plan(p, {"poweroffice": 100_000}, shipped_session.rules)
    assert verdict.may_write is ok
    if not ok:
        assert verdict.reason == (f"201 skrivinger i én syklus (101 opprettet, 100 oppdatert); grensen er 200 "
                                  f"({where('max_writes')})")
        assert [r.rule for r in verdict.refusals] == ["unattended.max_writes"]


def test_skips_warnings_and_manual_work_are_not_writes(shipped_session):
    p = plan(actions("skip", 500), actions("warn", 500), actions("manual", 500, target="smartdok"))
    assert check_plan(p, {}, shipped_session.rules).may_write


@pytest.mark.parametrize("n,ok", [(9, True), (10, True), (11, False)])
def test_max_finish(shipped_session, n, ok):
    verdict = check_plan(plan(actions("finish", n)), {"poweroffice": 100_000}, shipped_session.rules)
    assert verdict.may_write is ok
    if not ok:
        assert verdict.reason == f"11 prosjekter ville blitt avsluttet; grensen er 10 ({where('max_finish')})"


def test_the_mass_finish_of_the_issue(shipped_session):
    verdict = check_plan(plan(actions("finish", 180), actions("update", 3, start=900)), {"poweroffice": 2000},
                         shipped_session.rules)
    assert not verdict.may_write
    assert [r.message for r in verdict.refusals] == [
        f"180 prosjekter ville blitt avsluttet; grensen er 10 ({where('max_finish')})",
        f"180 av 2000 prosjekter i PowerOffice (9 %) ville blitt avsluttet; grensen er 5 % "
        f"({where('max_finish_share')})",
    ]


@pytest.fixture(scope="module")
def share_only(tmp_path_factory):
    """max_finish out of the way, so only the share decides."""
    return session(tmp_path_factory.mktemp("share"), rules="unattended:\n  max_finish: 100000\n")


@pytest.mark.parametrize("n,ok", [(9, True), (10, True), (11, False)])
def test_max_finish_share(share_only, n, ok):
    # 10 of 200 is exactly 5 %.
    verdict = check_plan(plan(actions("finish", n)), {"poweroffice": 200}, share_only.rules)
    assert verdict.may_write is ok
    if not ok:
        assert verdict.reason == (f"11 av 200 prosjekter i PowerOffice (5,5 %) ville blitt avsluttet; grensen er "
                                  f"5 % ({where('max_finish_share')})")


def test_share_is_per_receiving_system_and_never_divides_by_zero(share_only):
    p = plan(actions("finish", 3, target="smartdok"), actions("finish", 1, target="poweroffice", start=10))
    verdict = check_plan(p, {"poweroffice": 100}, share_only.rules)
    assert [r.message.split(" (")[0] for r in verdict.refusals] == ["3 av 3 prosjekter i SmartDok"]


def test_a_customer_limit_cites_the_customers_line(tmp_path):
    s = session(tmp_path, rules="# kunde\nunattended:\n  max_finish: 0\n")
    verdict = check_plan(plan(actions("finish", 1)), {"poweroffice": 1000}, s.rules)
    assert verdict.reason == "1 prosjekt ville blitt avsluttet; grensen er 0 (kunde.yaml:3)"


def test_allow(tmp_path):
    s = session(tmp_path, rules="unattended:\n  allow: [create, update]\n")
    assert check_plan(plan(actions("create", 5), actions("update", 5, start=10)), {}, s.rules).may_write
    verdict = check_plan(plan(actions("create", 5), actions("finish", 1, start=10)), {"poweroffice": 1000}, s.rules)
    assert verdict.reason == "1 post ville blitt avsluttet, men «finish» er ikke tillatt uten tilsyn (kunde.yaml:2)"
    (tmp_path / "none").mkdir()
    s2 = session(tmp_path / "none", rules="unattended:\n  allow: []\n")
    assert check_plan(plan(actions("update", 2)), {}, s2.rules).reason.startswith(
        "2 poster ville blitt oppdatert, men «update» er ikke tillatt")


def test_a_bad_limit_is_a_rule_file_error(tmp_path):
    with pytest.raises(RuleFileError) as err:
        session(tmp_path, rules="unattended:\n  max_finish_share: 5\n  allow: [delete]\n")
    text = str(err.value)
    assert "kunde.yaml:2:" in text and "kunde.yaml:3:" in text


def test_the_first_cycle_always_waits(shipped_session):
    verdict = check_plan(plan(), {}, shipped_session.rules, first_cycle=True)
    assert not verdict.may_write
    assert verdict.refusals[0].rule == "first_cycle" and verdict.refusals[0].where == ""
    assert "den første planen venter alltid på godkjenning" in verdict.reason


def test_every_limit_is_reported_at_once(shipped_session):
    p = plan(actions("finish", 300))
    verdict = check_plan(p, {"poweroffice": 1000}, shipped_session.rules, first_cycle=True)
    assert [r.rule for r in verdict.refusals] == ["first_cycle", "unattended.max_writes", "unattended.max_finish",
                                                  "unattended.max_finish_share"]
    assert verdict.refusals[1].to_json()["where"] == where("max_writes")


def test_a_blocked_plan_writes_nothing_so_passes(shipped_session):
    assert check_plan(plan(actions("finish", 300), blocked=True), {}, shipped_session.rules).may_write


def test_percent():
    assert [percent(x) for x in (0.05, 0.125, 1.0, 0.0)] == ["5 %", "12,5 %", "100 %", "0 %"]


def test_receiving_counts_count_projects_and_subprojects_of_the_receiving_system(tmp_path):
    s = session(tmp_path)
    snap = snapshot()
    snap.poweroffice["Projects"].append({"Id": 9011, "Code": "2301.9", "Name": "Under", "ParentProjectCode": "2301"})
    p = make_plan(s, snap)
    assert [a.key for a in p.writes if a.op == "finish"] == ["2302"]
    assert receiving_counts(p, snap, s) == {"poweroffice": 6}  # 5 projects (9000 included), 1 sub-project
    assert receiving_counts(plan(actions("create", 2)), snap, s) == {}
    subs = plan(actions("finish", 1, entity="subprojects", target="smartdok"), actions("finish", 1, target="smartdok"))
    assert receiving_counts(subs, snap, s) == {"smartdok": 9}  # 6 projects and 3 sub-projects
