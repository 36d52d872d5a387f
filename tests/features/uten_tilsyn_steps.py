"""Steps for features/uten_tilsyn.feature: unattended cycles against the in-process sandbox."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from harness import World
from pytest_bdd import given, parsers, then, when

from grunndata.engine.writes import Stop
from grunndata.state import SqliteStateStore
from grunndata.unattended.approval import approve
from grunndata.unattended.cycle import CycleResult, Cycles

MODES = {"inkrementell": "incremental", "full": "full"}


class Killed(BaseException):
    """The process dies: nothing after this point runs (no journal of the outcome, no stored state)."""


class DiesAfter(Stop):
    """A stop check that kills the cycle once ``n`` writes have started."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.left = n

    @property
    def requested(self) -> bool:  # type: ignore[override]
        if self.left <= 0:
            raise Killed()
        self.left -= 1
        return False


def _store(world: World) -> SqliteStateStore:
    store = getattr(world, "store", None)
    if store is None:
        store = SqliteStateStore(world.tmp / "grunndata-journal.sqlite")
        world.store = store  # type: ignore[attr-defined]
    return store


def _cycle(world: World, *, full: bool | None = None, stop: Stop | None = None) -> CycleResult:
    session = world.session()
    store = _store(world)

    async def go() -> CycleResult:
        async with world._connect(session) as conn:
            return await Cycles(session, store, conn).sync(dt.datetime.now(dt.UTC), stop, full=full)
    result = asyncio.run(go())
    world.cycle = result  # type: ignore[attr-defined]
    return result


def _change(world: World, system: str, resource: str, key_field: str, keys: list[str], **fields: Any) -> None:
    sb = world.start()
    state = sb.world()
    for key in keys:
        [record] = [r for r in state[system][resource] if str(r.get(key_field)).strip() == key]
        record.update(fields)
    sb.reset(state)


def _numbers(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _po(world: World, code: str) -> list[dict[str, Any]]:
    return [p for p in world.state("poweroffice").get("Projects", []) if str(p.get("Code")) == code]


@given("at en person har kjørt grunndatasynken")
def person_applied(world: World):
    world.run_apply()
    assert world.error is None, world.error
    _store(world).note_person_applied()


@given("at én syklus har kjørt")
@when("neste syklus kjøres")
def next_cycle(world: World):
    result = _cycle(world)
    assert result.error is None, result.error


@when("den fulle avstemmingen kjøres")
def full_cycle(world: World):
    result = _cycle(world, full=True)
    assert result.error is None, result.error


@when(parsers.parse("neste syklus dør etter {n:d} skrivinger"))
def dying_cycle(world: World, n: int):
    try:
        _cycle(world, stop=DiesAfter(n))
    except Killed:
        pass
    else:
        raise AssertionError("syklusen døde ikke")


@when(parsers.parse('en bruker i SmartDok avslutter prosjektene "{numbers}"'))
def finish_in_smartdok(world: World, numbers: str):
    _change(world, "smartdok", "Projects", "ProjectNumber", _numbers(numbers), Finished=True)


@when(parsers.parse('en bruker i SmartDok oppretter prosjektene "{numbers}"'))
def create_in_smartdok(world: World, numbers: str):
    sb = world.start()
    state = sb.world()
    projects = state["smartdok"]["Projects"]
    next_id = max(p["Id"] for p in projects) + 1
    for i, number in enumerate(_numbers(numbers)):
        projects.append({"Id": next_id + i, "ProjectNumber": number, "ProjectName": f"Nytt prosjekt {number}",
                         "IsActive": True, "Finished": False})
    sb.reset(state)


@when(parsers.parse('en bruker i PowerOffice arkiverer prosjektet "{code}", sist endret i går, '
                    'uten at endringsstempelet flyttes'))
def archive_quietly(world: World, code: str):
    # As PowerOffice may: archiving does not move LastChangedDateTimeOffset, so no change filter sees
    # it. The project was last changed a day ago, long before the cycles' watermark and overlap.
    sb = world.start()
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    with sb.lock:
        table = sb.state.tables["poweroffice"]["Projects"]
        [record] = [r for r in table.values() if str(r.get("Code")) == code]
        record["ProjectStatus"] = "Archived"
        record["LastChangedDateTimeOffset"] = yesterday


@when("planen godkjennes")
def approve_plan(world: World):
    session = world.session()
    store = _store(world)
    run_id = world.cycle.run_id  # type: ignore[attr-defined]

    async def go() -> Any:
        async with world._connect(session) as conn:
            store.lock()
            try:
                return await approve(session, store, conn, run_id)
            finally:
                store.unlock()
    report = asyncio.run(go())
    assert not report.failed


@then(parsers.parse("er syklusen {mode}"))
def cycle_mode(world: World, mode: str):
    assert world.cycle.mode == MODES[mode]  # type: ignore[attr-defined]


@then(parsers.parse('heter prosjektet "{code}" «{name}» i PowerOffice'))
def named_in_poweroffice(world: World, code: str, name: str):
    assert [p["Name"] for p in _po(world, code)] == [name]


@then(parsers.parse('sier grunnen for "{code}" at "{text}"'))
def reason_says(world: World, code: str, text: str):
    plan = world.cycle.plan  # type: ignore[attr-defined]
    reasons = [a.reason for a in plan.writes if a.key == code]
    assert reasons and all(text in r for r in reasons), reasons


@then(parsers.parse('venter planen på godkjenning med grunnen "{text}"'))
def waits(world: World, text: str):
    cycle = world.cycle  # type: ignore[attr-defined]
    assert cycle.outcome == "waiting" and cycle.exit_code == 4, cycle
    assert text in cycle.reason, cycle.reason
    assert [w.run_id for w in _store(world).waiting()] == [cycle.run_id]


@then("er ingen prosjekter avsluttet i PowerOffice")
def none_finished(world: World):
    assert all(p.get("ProjectStatus") != "Completed" and p.get("ProjectStatus") != "Complete"
               for p in world.state("poweroffice")["Projects"])


@then(parsers.parse('er prosjektene "{numbers}" avsluttet i PowerOffice'))
def finished(world: World, numbers: str):
    for code in _numbers(numbers):
        [project] = _po(world, code)
        assert project["ProjectStatus"] in ("Complete", "Completed"), project


@then("finnes hvert prosjekt fra SmartDok nøyaktig én gang i PowerOffice")
def exactly_once(world: World):
    for project in world.state("smartdok")["Projects"]:
        assert len(_po(world, project["ProjectNumber"])) == 1, project["ProjectNumber"]


@then(parsers.parse('har syklusen ingen handling for "{code}"'))
def no_action(world: World, code: str):
    plan = world.cycle.plan  # type: ignore[attr-defined]
    assert plan is None or not [a for a in plan.actions if a.key == code]


@then(parsers.parse('har syklusen en handling for "{code}"'))
def an_action(world: World, code: str):
    plan = world.cycle.plan  # type: ignore[attr-defined]
    assert plan is not None and [a for a in plan.actions if a.key == code], plan


@then(parsers.parse('er prosjektet "{number}" avsluttet i SmartDok'))
def finished_in_smartdok(world: World, number: str):
    [project] = [p for p in world.state("smartdok")["Projects"] if str(p["ProjectNumber"]).strip() == number]
    assert project.get("Finished") is True, project
