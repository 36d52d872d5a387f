"""The sandbox's invoice resources answer what the contracts document: SmartDok's invoice bases, project
prices, customers and goods; PowerOffice's sales orders written with their lines."""
from __future__ import annotations

import pytest
from sandbox_helpers import PATCH_JSON, check_response, po_client, run, sd_client

from grunndata.errors import GrunndataError
from grunndata.sandbox import Sandbox, load_world
from grunndata.sandbox.invoice_world import month_of_invoices

PO, SD = "poweroffice", "smartdok"
ORDER = {"CustomerNo": 20002, "ProjectCode": "4002", "SalesOrderDate": "2026-11-30", "SalesOrderStatus": "Draft",
         "ExternalImportReference": "smartdok-invoice-1",
         "SalesOrderLines": [{"ProductCode": "M01", "Quantity": 2, "ExternalImportReference": "smartdok-invoice-1-1"},
                             {"Description": "Rigg", "Quantity": 1, "ProductUnitPrice": 500.0, "Allowance": 10}]}


@pytest.fixture
def isb() -> Sandbox:
    return Sandbox(month_of_invoices(3, 4, projects=2), rate_limit=False)


def po(sb: Sandbox, *calls):
    async def go():
        async with po_client(sb) as c:
            return [await c.request(m, path, **kw) for m, path, kw in calls]
    return run(go())


def sd(sb: Sandbox, *calls):
    async def go():
        async with sd_client(sb) as c:
            return [await c.request(m, path, **kw) for m, path, kw in calls]
    return run(go())


def test_smartdok_invoice_bases_prices_customers_and_goods_match_the_spec(isb: Sandbox):
    world = isb.world()
    world["smartdok"]["Prices"] = [{"ProjectId": 1, "EntityType": "Machine", "EntityId": "1", "ExternalPrice": 990.0}]
    isb.reset(world)
    listed, one, prices, customers, goods, good = sd(
        isb, ("GET", "/Invoices", {"params": {"fromDate": "2026-11-01", "toDate": "2026-11-30T23:59:59"}}),
        ("GET", "/Invoices/70001", {}), ("GET", "/Projects/1/Prices", {"params": {"type": "Machine"}}),
        ("GET", "/Customers", {}), ("GET", "/Goods", {}), ("GET", "/Goods/1", {}))
    for r, path in ((listed, "/Invoices"), (one, "/Invoices/{id}"), (prices, "/Projects/{id}/Prices"),
                    (customers, "/Customers"), (goods, "/Goods"), (good, "/Goods/{id}")):
        assert r.status_code == 200, (path, r.text)
        check_response(SD, "get", path, r)
    assert [b["Id"] for b in listed.json()] == [70001, 70002, 70003]
    line = one.json()["InvoiceLines"][0]
    assert line["InvoiceId"] == 70001 and line["Sum"] == round(line["Quantity"] * line["Price"]
                                                               * (1 - line["Discount"] / 100), 2)
    assert prices.json()["Items"][0]["ExternalPrice"] == 990.0
    assert {c["CustomerNumber"] for c in customers.json()["Items"]} == {"20001", "20002"}


def test_the_period_selects_the_bases_it_overlaps(isb: Sandbox):
    october, december, last_day = sd(isb, ("GET", "/Invoices", {"params": {"toDate": "2026-10-31"}}),
                                     ("GET", "/Invoices", {"params": {"fromDate": "2026-12-01"}}),
                                     ("GET", "/Invoices", {"params": {"fromDate": "2026-11-30", "toDate": "2026-11-30"}}))
    assert october.json() == [] and december.json() == [] and len(last_day.json()) == 3


def test_a_sales_order_is_made_complete_with_its_lines_and_read_back(isb: Sandbox):
    made, listed, complete = po(isb, ("POST", "/SalesOrders/Complete", {"json": ORDER}),
                                ("GET", "/SalesOrders", {"params": {"onlyCreatedByCurrentIntegration": "true"}}),
                                ("GET", "/SalesOrders/00000000-0000-4000-8000-000000000001/Complete", {}))
    assert made.status_code == 201, made.text
    check_response(PO, "post", "/SalesOrders/Complete", made)
    check_response(PO, "get", "/SalesOrders/{id}/Complete", complete)
    body = made.json()
    assert body["Id"] == complete.json()["Id"] and body["IsCreatedByCurrentIntegration"] is True
    machine, rigg = body["SalesOrderLines"]
    assert (machine["Description"], machine["ProductUnitPrice"], machine["ProjectCode"]) == ("Maskin 1", 850, "4002")
    assert rigg["NetAmount"] == 450.0 and body["NetAmount"] == 2150.0 and body["LineCount"] == 2
    assert [o["ExternalImportReference"] for o in listed.json()] == ["smartdok-invoice-1"]


@pytest.mark.parametrize("change,status,says", [
    ({}, 409, "already exists"),
    ({"ExternalImportReference": "x", "CustomerNo": 20001}, 400, "Customer connected to project is not the same"),
    ({"ExternalImportReference": "x", "CustomerNo": 99999}, 400, "Customer with number 99999 was not found"),
    ({"ExternalImportReference": "x", "ProjectCode": "9999"}, 400, "Project with code '9999' was not found"),
    ({"ExternalImportReference": "x", "SalesOrderLines": [{"ProductCode": "NOPE", "Quantity": 1}]}, 400, "NOPE"),
    ({"ExternalImportReference": "x", "SalesOrderLines": [{"ProductCode": "M01"}]}, 400, "Quantity is required"),
    ({"ExternalImportReference": "x", "SalesOrderStatus": "Sent"}, 400, "validation"),
])
def test_what_poweroffice_refuses_on_import_is_refused(isb: Sandbox, change, status, says):
    first, again = po(isb, ("POST", "/SalesOrders/Complete", {"json": ORDER}),
                      ("POST", "/SalesOrders/Complete", {"json": {**ORDER, **change}}))
    assert first.status_code == 201
    assert again.status_code == status, again.text
    assert says in again.text
    check_response(PO, "post", "/SalesOrders/Complete", again)


def test_lines_are_added_changed_and_removed_while_the_order_is_a_draft(isb: Sandbox):
    made, = po(isb, ("POST", "/SalesOrders/Complete", {"json": ORDER}))
    oid, line = made.json()["Id"], made.json()["SalesOrderLines"][0]["Id"]
    base = f"/SalesOrders/{oid}/Lines"
    added, twice, patched, got, deleted, gone, listed = po(
        isb, ("POST", base, {"json": {"Description": "Ekstra", "Quantity": 1, "ProductUnitPrice": 100.0,
                                      "ExternalImportReference": "smartdok-invoice-1-9"}}),
        ("POST", base, {"json": {"Description": "Ekstra", "ExternalImportReference": "smartdok-invoice-1-9"}}),
        ("PATCH", f"{base}/{line}", {"json": [{"op": "replace", "path": "/Quantity", "value": 7}],
                                     "headers": PATCH_JSON}),
        ("GET", f"{base}/{line}", {}), ("DELETE", f"{base}/{line}", {}), ("GET", f"{base}/{line}", {}),
        ("GET", base, {}))
    assert (added.status_code, twice.status_code, patched.status_code, deleted.status_code, gone.status_code) == \
        (201, 409, 200, 200, 404)
    check_response(PO, "post", "/SalesOrders/{id}/Lines", added)
    check_response(PO, "patch", "/SalesOrders/{id}/Lines/{lineId}", patched)
    check_response(PO, "get", "/SalesOrders/{id}/Lines", listed)
    assert got.json()["Quantity"] == 7 and got.json()["NetAmount"] == 7 * 850
    assert sorted(x["ExternalImportReference"] or "" for x in listed.json()) == ["", "smartdok-invoice-1-9"]


def test_a_confirmed_order_refuses_line_changes_and_deletion_with_409(isb: Sandbox):
    made, = po(isb, ("POST", "/SalesOrders/Complete", {"json": {**ORDER, "SalesOrderStatus": "Confirmed"}}))
    oid, line = made.json()["Id"], made.json()["SalesOrderLines"][0]["Id"]
    base = f"/SalesOrders/{oid}/Lines"
    answers = po(isb, ("POST", base, {"json": {"Description": "x", "Quantity": 1}}),
                 ("PATCH", f"{base}/{line}", {"json": [{"op": "replace", "path": "/Quantity", "value": 1}],
                                              "headers": PATCH_JSON}),
                 ("DELETE", f"{base}/{line}", {}), ("DELETE", f"/SalesOrders/{oid}", {}))
    assert [r.status_code for r in answers] == [409, 409, 409, 409]
    assert all(r.json()["Status"] == 409 for r in answers)


def test_a_draft_order_is_deleted_and_an_unknown_one_is_404(isb: Sandbox):
    made, = po(isb, ("POST", "/SalesOrders/Complete", {"json": ORDER}))
    deleted, again = po(isb, ("DELETE", f"/SalesOrders/{made.json()['Id']}", {}),
                        ("DELETE", f"/SalesOrders/{made.json()['Id']}", {}))
    assert (deleted.status_code, again.status_code) == (200, 404)


def test_faults_hit_the_sales_order_writes_as_every_other_resource(isb: Sandbox):
    isb.add_fault("poweroffice", "POST", "/v2/SalesOrders/Complete", status=503)
    refused, made = po(isb, ("POST", "/SalesOrders/Complete", {"json": ORDER}),
                       ("POST", "/SalesOrders/Complete", {"json": ORDER}))
    assert (refused.status_code, made.status_code) == (503, 201)
    assert isb.stats()["poweroffice"]["POST /v2/SalesOrders/Complete"] == 2


def test_world_files_give_invoice_lines_and_order_lines_ids_and_name_projects_by_number():
    w = load_world({"smartdok": {"Projects": [{"Id": 1, "ProjectNumber": "4001 ", "ProjectName": "x"}],
                                 "Invoices": [{"ProjectNumber": "4001", "InvoiceLines": [{"LineText": "a"}, {}]}]},
                    "poweroffice": {"SalesOrders": [{"SalesOrderLines": [{"Description": "b"}]}]}})
    basis = w["smartdok"]["Invoices"][0]
    assert basis["ProjectId"] == 1 and [x["Id"] for x in basis["InvoiceLines"]] == [1, 2]
    line = w["poweroffice"]["SalesOrders"][0]["SalesOrderLines"][0]
    assert line["Id"].startswith("00000000-0000-4000-a000-") and line["SalesOrderId"] == w["poweroffice"][
        "SalesOrders"][0]["Id"]
    with pytest.raises(GrunndataError, match=r"smartdok.Invoices\[0\]: project with ProjectNumber '9'"):
        load_world({"smartdok": {"Invoices": [{"ProjectNumber": "9"}]}})
