"""grunndata invoice: every finished invoice basis one PowerOffice sales order, every line once (R24-R27)."""
from __future__ import annotations

import sqlite3

import pytest
from invoice_env import NOVEMBER, Env, assert_exactly_once

from grunndata.engine.doctor import run_doctor
from grunndata.engine.model import Snapshot

COMPLETE = "/v2/SalesOrders/Complete"


def held(report) -> set[str]:
    return {e.key for e in report.plan.entries if e.op == "hold"}


def by_key(report, key: str):
    return next(e for e in report.plan.entries if e.key == key)


def order(env: Env, basis_id: int) -> dict:
    return next(o for o in env.orders() if o["ExternalImportReference"] == f"smartdok-invoice-{basis_id}")


def test_a_month_goes_through_once_and_a_second_run_sends_nothing(env: Env):
    report = env.run()
    assert not report.failed and report.summary()["ok"] == 36
    assert assert_exactly_once(env, held(report)) == 36
    assert {e.op for e in report.plan.entries} == {"send", "hold"}  # the draft and the credited basis: nothing
    writes = env.sb.write_count("poweroffice")
    assert writes == 36  # one request per order, its ten lines with it
    again = env.run()
    assert again.plan.writes == [] and env.sb.write_count("poweroffice") == writes
    assert again.plan.summary()["already_transferred"] == 36
    assert env.sb.stats()["poweroffice"]["GET /v2/SalesOrders"] == 2  # one list of our orders per run


def test_order_and_lines_are_mapped_as_the_rules_say(small: Env):
    small.change_basis(70004, SubProjectIds=[2])  # covers exactly one sub-project: the order is on 4002.1
    small.run()
    world = small.sb.world()
    basis = next(b for b in small.bases() if b["Id"] == 70003)
    got = order(small, 70003)
    project = next(p for p in world["poweroffice"]["Projects"] if p["Id"] == got["ProjectId"])
    customer = next(c for c in world["poweroffice"]["Customers"] if c["Id"] == got["CustomerId"])
    assert project["Code"] == "4001" and str(customer["Number"]) == basis["CustomerNumber"]
    assert got["SalesOrderDate"] == "2026-11-30" and got["SalesOrderStatus"] == "Draft"
    assert got["IsCreatedByCurrentIntegration"] is True
    lines = {x["ExternalImportReference"]: x for x in got["SalesOrderLines"]}
    src = {f"smartdok-invoice-70003-{x['Id']}": x for x in basis["InvoiceLines"]}
    assert set(lines) == set(src)
    for ref, line in lines.items():
        s = src[ref]
        assert (line["Description"], line["Quantity"], line["ProductUnitPrice"], line["Allowance"]) == \
            (s["LineText"], s["Quantity"], s["Price"], s["Discount"])
        product = {"WorkHours": "T-100" if s["Code"] == "100" else None, "MachineHours": s["Code"],
                   "GoodsConsumption": s["Code"], "Additions": None}[s["InvoiceLineType"]]
        assert line.get("ProductCode") == product, ref  # R25: machine, goods, activity with a product; else none
        assert line["ProjectCode"] == ("4001.1" if s.get("SubProjectId") else "4001")
    one_sub = order(small, 70004)
    assert one_sub["ProjectId"] == next(p["Id"] for p in world["poweroffice"]["Projects"] if p["Code"] == "4002.1")
    assert all(x["ProjectCode"] == "4002.1" for x in one_sub["SalesOrderLines"])  # every line inherits it


def test_holds_are_the_doctors_own_words_and_the_rest_goes_on(env: Env):
    report = env.run()
    holds = {e.key: e for e in report.plan.entries if e.op == "hold"}
    assert set(holds) == {"smartdok-invoice-70001", "smartdok-invoice-70040"}
    product, customer = holds["smartdok-invoice-70001"], holds["smartdok-invoice-70040"]
    assert product.reason.startswith("Holdes tilbake: Produkt M99 (maskin) finnes ikke i PowerOffice")
    assert "Customer connected to project is not the same as the customer stated in the API" in customer.reason
    assert product.rule.startswith("rules/invoice.yaml:") and customer.rule.startswith("rules/invoice.yaml:")
    assert customer.fields["suggestion"] and customer.fields["problems"][0]["reason"] in customer.reason
    assert report.summary()["held"] == 2 and not report.failed


def _doctor(env: Env, check: str) -> dict:
    world = env.sb.world()
    findings = run_doctor(env.session(), Snapshot(world["smartdok"], world["poweroffice"]), only=[check]).findings
    return {f.key: f for f in findings}


def test_doctor_and_invoice_word_a_missing_product_alike(small: Env):
    world = small.sb.world()
    world["poweroffice"]["Products"] = [p for p in world["poweroffice"]["Products"] if p["Code"] != "V-3"]
    small.sb.reset(world)
    doc = _doctor(small, "products")["V-3"]
    assert doc.severity == "warning"
    holds = [e for e in small.run().plan.entries if e.op == "hold"]
    assert holds and all(e.reason == f"Holdes tilbake: {doc.message} Forslag: {doc.suggestion}" for e in holds)


def test_doctor_and_invoice_word_a_customer_that_is_not_the_projects_alike(small: Env):
    world = small.sb.world()
    next(c for c in world["smartdok"]["Customers"] if c["Id"] == 2)["CustomerNumber"] = "29999"
    small.sb.reset(world)
    doc = _doctor(small, "customers")["4002"]  # project 4002's customer differs in SmartDok
    assert doc.severity == "error" and "(29999)" in doc.message and "(20002)" in doc.message
    small.change_basis(70001, CustomerNumber="29999")
    hold = by_key(small.run(), "smartdok-invoice-70001")
    assert hold.op == "hold" and hold.reason == f"Holdes tilbake: {doc.message} Forslag: {doc.suggestion}"


@pytest.mark.parametrize("value,trim,held_back", [(" 20002 ", True, False), ("20002", True, False),
                                                  (" 20002", False, True), ("020002", True, True)])
def test_the_customer_number_is_compared_as_text(small: Env, tmp_path, value, trim, held_back):
    if not trim:
        (tmp_path / "kunde.yaml").write_text("invoice:\n  customer:\n    trim: false\n", encoding="utf-8")
        small.rules = ["kunde.yaml"]
    small.change_basis(70001, CustomerNumber=value)  # project 4002, customer 20002 in PowerOffice
    entry = by_key(small.run(), "smartdok-invoice-70001")
    assert (entry.op == "hold") is held_back, entry.reason


def test_a_project_missing_or_inactive_in_poweroffice_holds_the_basis(small: Env):
    world = small.sb.world()
    po = world["poweroffice"]
    po["Projects"] = [p for p in po["Projects"] if p["Code"] != "4002"]  # and its sub-project 4002.1
    po["Projects"] = [p for p in po["Projects"] if p.get("ParentProjectCode") != "4002"]
    next(p for p in po["Projects"] if p["Code"] == "4003")["IsActive"] = False
    small.sb.reset(world)
    report = small.run()
    missing, inactive = by_key(report, "smartdok-invoice-70001"), by_key(report, "smartdok-invoice-70002")
    assert missing.op == "hold" and "Prosjekt 4002 finnes ikke i PowerOffice" in missing.reason
    assert "grunndata apply" in missing.fields["suggestion"]
    assert inactive.op == "hold" and "Prosjekt 4003 er ikke aktivt i PowerOffice" in inactive.reason
    assert inactive.rule.startswith("rules/records.yaml:")
    assert not any(o["ExternalImportReference"] in ("smartdok-invoice-70001", "smartdok-invoice-70002")
                   for o in small.orders())


@pytest.mark.parametrize("fault", [{"drop_after_commit": True}, {"status": 503}, {"status": 502, "after_commit": True},
                                   {"status": 200, "body": "<html>garbled</html>", "after_commit": True}],
                         ids=["dropped-after-commit", "503", "502-after-commit", "garbled-2xx"])
def test_a_lost_or_refused_create_is_looked_up_by_reference_never_sent_twice(small: Env, fault):
    small.sb.add_fault("poweroffice", "POST", COMPLETE, count=2, **fault)
    report = small.run()
    assert not report.failed, [r.detail for r in report.results]
    assert assert_exactly_once(small) == 6
    if fault.get("drop_after_commit") or fault.get("after_commit"):
        assert report.summary()["recovered"] == 2
        assert all("ikke sendt på nytt" in r.detail for r in report.results if r.status == "recovered")


def test_an_order_in_poweroffice_but_not_in_the_journal_is_not_sent_again(small: Env):
    small.run(journal=False)  # e.g. the journal was lost, or a crash before the answer was journaled
    writes = small.sb.write_count("poweroffice")
    again = small.run()
    assert again.plan.writes == [] and small.sb.write_count("poweroffice") == writes
    assert again.plan.summary()["already_transferred"] == 6
    assert small.sb.stats()["poweroffice"]["GET /v2/SalesOrders/{id}/Complete"] == 6  # compared once, no journal


def test_a_changed_basis_brings_the_draft_in_line_line_by_line(small: Env):
    small.run()
    basis = next(b for b in small.bases() if b["Id"] == 70002)
    lines = basis["InvoiceLines"]
    lines[0]["Quantity"] = 40.0
    lines[2]["Price"] = 999.0
    removed = lines.pop(1)
    lines.append({"Id": 900001, "InvoiceLineType": "Additions", "Code": "", "LineText": "Ekstra rigg", "Quantity": 1.0,
                  "Price": 2500.0, "Discount": 0.0})
    small.change_basis(70002, InvoiceLines=lines)
    report = small.run()
    entry = by_key(report, "smartdok-invoice-70002")
    assert entry.op == "correct" and "utkast" in entry.reason
    ops = sorted((w.op, w.reference) for w in entry.writes)
    assert ops == sorted([("update_line", f"smartdok-invoice-70002-{lines[0]['Id']}"),
                          ("update_line", f"smartdok-invoice-70002-{lines[1]['Id']}"),
                          ("delete_line", f"smartdok-invoice-70002-{removed['Id']}"),
                          ("add_line", "smartdok-invoice-70002-900001")])
    assert all(w.reason for w in entry.writes) and all(x["reason"] for x in entry.fields["lines"])
    assert not report.failed
    assert assert_exactly_once(small) == 6
    got = {x["ExternalImportReference"]: x for x in order(small, 70002)["SalesOrderLines"]}
    assert got[f"smartdok-invoice-70002-{lines[0]['Id']}"]["Quantity"] == 40.0
    assert got[f"smartdok-invoice-70002-{lines[1]['Id']}"]["ProductUnitPrice"] == 999.0
    # Each line change is journaled as its own write; the next run sees the basis in step.
    db = sqlite3.connect(small.tmp / "grunndata-journal.sqlite")
    rows = db.execute("SELECT op, outcome FROM invoice_writes WHERE key='smartdok-invoice-70002' ORDER BY id").fetchall()
    assert sorted(rows[1:]) == sorted((op, "ok") for op, _ in ops) and rows[0] == ("create", "ok")
    looked = small.sb.stats()["poweroffice"]["GET /v2/SalesOrders/{id}/Complete"]
    again = small.run()
    assert again.plan.writes == [] and again.plan.summary()["already_transferred"] == 6
    assert small.sb.stats()["poweroffice"]["GET /v2/SalesOrders/{id}/Complete"] == looked  # the journal knew


def test_a_line_a_person_added_in_poweroffice_is_left_alone(small: Env):
    small.run()
    world = small.sb.world()
    target = next(o for o in world["poweroffice"]["SalesOrders"] if o["ExternalImportReference"] == "smartdok-invoice-70002")
    target["SalesOrderLines"].append({"Description": "Rabatt avtalt på telefon", "Quantity": 1, "ProductUnitPrice": -500})
    small.sb.reset(world)
    basis = next(b for b in small.bases() if b["Id"] == 70002)
    basis["InvoiceLines"][0]["Quantity"] = 41.0
    small.change_basis(70002, InvoiceLines=basis["InvoiceLines"])
    entry = by_key(small.run(), "smartdok-invoice-70002")
    assert [w.op for w in entry.writes] == ["update_line"]
    assert any(x.get("Description") == "Rabatt avtalt på telefon" for x in order(small, 70002)["SalesOrderLines"])


def test_a_changed_basis_of_a_confirmed_order_is_reported_and_never_touched(small: Env):
    small.run()
    small.change_order("smartdok-invoice-70002", SalesOrderStatus="Confirmed")
    basis = next(b for b in small.bases() if b["Id"] == 70002)
    basis["InvoiceLines"][0]["Quantity"] = 40.0
    small.change_basis(70002, InvoiceLines=basis["InvoiceLines"])
    writes = small.sb.write_count("poweroffice")
    report = small.run()
    entry = by_key(report, "smartdok-invoice-70002")
    assert entry.op == "report" and "Confirmed" in entry.reason and entry.writes == []
    assert entry.fields["lines"][0]["op"] == "update_line"  # what would have changed, for the person
    assert small.sb.write_count("poweroffice") == writes


def test_an_order_confirmed_after_the_preview_is_locked_not_changed(small: Env):
    small.run()
    basis = next(b for b in small.bases() if b["Id"] == 70002)
    basis["InvoiceLines"][0]["Quantity"] = 40.0
    small.change_basis(70002, InvoiceLines=basis["InvoiceLines"])

    def confirm_meanwhile(plan) -> bool:
        for o in small.sb.state.rows("poweroffice", "SalesOrders"):
            if o.get("ExternalImportReference") == "smartdok-invoice-70002":
                o["SalesOrderStatus"] = "Confirmed"
        return True

    report = small.run(confirm=confirm_meanwhile)
    assert [r.status for r in report.results] == ["locked"] and not report.failed
    assert "bekreftet eller fakturert" in report.results[0].detail
    assert next(x for x in order(small, 70002)["SalesOrderLines"])["Quantity"] != 40.0


def test_a_credited_basis_is_reported_and_never_deleted(small: Env):
    small.run()
    small.change_basis(70002, Credited=True)
    report = small.run()
    entry = by_key(report, "smartdok-invoice-70002")
    assert entry.op == "report" and "kreditert" in entry.reason and "kreditnota" in entry.reason
    assert entry.rule.startswith("rules/invoice.yaml:")
    assert not any(k.startswith("DELETE") for k in small.sb.stats()["poweroffice"])
    assert order(small, 70002)  # still there


def test_an_invoiced_order_is_never_sent_again_and_a_later_change_is_reported(small: Env):
    small.run()
    small.invoice_order("smartdok-invoice-70002")  # no longer a sales order: the journal remembers it
    again = small.run()
    assert again.plan.writes == [] and again.plan.summary()["already_transferred"] == 6
    basis = next(b for b in small.bases() if b["Id"] == 70002)
    basis["InvoiceLines"][0]["Quantity"] = 40.0
    small.change_basis(70002, InvoiceLines=basis["InvoiceLines"])
    entry = by_key(small.run(), "smartdok-invoice-70002")
    assert entry.op == "report" and "fakturert" in entry.reason and entry.writes == []
    assert not any(o["ExternalImportReference"] == "smartdok-invoice-70002" for o in small.orders())


def test_drafts_credited_and_bases_sent_by_smartdok_itself_are_not_sent(small: Env):
    small.change_basis(70001, IsDraft=True)
    small.change_basis(70002, Credited=True)
    small.change_basis(70003, Sent=True)
    report = small.run()
    assert {e.key for e in report.plan.entries} == {f"smartdok-invoice-{i}" for i in (70004, 70005, 70006)}
    assert assert_exactly_once(small, {"smartdok-invoice-70003"}) == 3


def test_line_types_and_the_fallback_are_rules(small: Env, tmp_path):
    (tmp_path / "kunde.yaml").write_text("invoice:\n  line_types:\n    MachineHours: none\n  fallback: [goods]\n",
                                         encoding="utf-8")
    small.rules = ["kunde.yaml"]
    basis = next(b for b in small.bases() if b["Id"] == 70002)
    basis["InvoiceLines"][0].update(InvoiceLineType="Ukjent type", Code="V-3")
    small.change_basis(70002, InvoiceLines=basis["InvoiceLines"])
    small.run()
    lines = {x["ExternalImportReference"]: x for x in order(small, 70002)["SalesOrderLines"]}
    first = basis["InvoiceLines"][0]
    assert lines[f"smartdok-invoice-70002-{first['Id']}"]["ProductCode"] == "V-3"  # the fallback: a goods item
    machine = next(x for x in basis["InvoiceLines"] if x["InvoiceLineType"] == "MachineHours")
    assert lines[f"smartdok-invoice-70002-{machine['Id']}"].get("ProductCode") is None  # description only


def test_prices_from_poweroffice_or_the_project_are_rules(small: Env, tmp_path):
    world = small.sb.world()
    world["smartdok"]["Prices"] = [{"ProjectId": 3,
                                    "EntityType": "Machine", "EntityId": str(m["Id"]), "ExternalPrice": 1234.5}
                                   for m in world["smartdok"]["Machines"]]
    small.sb.reset(world)
    (tmp_path / "kunde.yaml").write_text("invoice:\n  price:\n    from: [project, product]\n    decimals: 0\n",
                                         encoding="utf-8")
    small.rules = ["kunde.yaml"]
    small.run()
    products = {p["Code"]: p for p in small.sb.world()["poweroffice"]["Products"]}
    for o in small.orders():
        project_3 = o["ExternalImportReference"] in ("smartdok-invoice-70002", "smartdok-invoice-70005")
        for line in o["SalesOrderLines"]:
            code = line.get("ProductCode")
            if code and code.startswith("M") and project_3:
                assert line["ProductUnitPrice"] == 1234  # the project's price, rounded by the rule
            elif code:
                assert line["ProductUnitPrice"] == products[code]["UnitPrice"]
    assert small.sb.stats()["smartdok"]["GET /Projects/{id}/Prices"] == 3  # once per project


def test_declined_sends_nothing_and_the_journal_has_no_run(small: Env):
    report = small.run(confirm=lambda plan: False)
    assert report.declined and report.exit_code == 3 and small.orders() == []
    db = sqlite3.connect(small.tmp / "grunndata-journal.sqlite")
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)


def test_the_period_selects_bases_as_smartdoks_from_and_to_dates_do(small: Env):
    small.change_basis(70001, DateFrom="2026-10-01", DateTo="2026-10-31")
    plan = small.preview(*NOVEMBER)
    assert "smartdok-invoice-70001" not in {e.key for e in plan.entries}
    assert small.sb.stats()["smartdok"]["GET /Invoices"] == 1


def test_a_stop_request_finishes_the_writes_in_flight_and_the_next_run_does_the_rest(env: Env):
    import asyncio

    from grunndata.engine import invoice as engine
    from grunndata.engine.stopping import Stop

    stop = Stop()
    session = env.session()
    journal = env.journal()
    journal.lock()

    async def go():
        async with env._connect(session) as conn:
            return await engine.invoice(session, conn, *NOVEMBER, journal=journal,
                                        progress=lambda outcome: stop.request(), stop=stop)
    try:
        report = asyncio.run(go())
    finally:
        journal.close()
    assert report.interrupted is not None and report.exit_code == 130 and report.status() == "interrupted"
    assert 0 < len(report.outcomes) < 36 and len(env.orders()) == len(report.outcomes)  # in flight: finished
    rest = env.run()
    assert len(rest.plan.writes) == 36 - len(report.outcomes) and not rest.failed
    assert assert_exactly_once(env, held(rest)) == 36
