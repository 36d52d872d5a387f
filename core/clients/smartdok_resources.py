"""SmartDok's resources as the client knows them: paths, natural keys and list filters, and the
fields each PUT may send back (the input schemas of the v1 spec)."""

from __future__ import annotations

from dataclasses import dataclass

# PUT replaces the whole record, but only with the fields of the input schema: the output's
# read-only fields (Id, Updated, Created, Project…) are not sent back. From the v1 spec.
_PROJECTS_INPUT = (  # ProjectInputLegacy: the PUT schema
    "ProjectName",
    "ProjectNumber",
    "DescriptionText",
    "Location",
    "CustomerId",
    "StartDate",
    "EndDate",
    "Departments",
    "ActivityIds",
    "ProjectOwnerName",
    "ProjectOwnerEmail",
    "ProjectOwnerMobile",
    "ClientCompanyName",
    "ClientCompanyContact",
    "ClientCompanyEmail",
    "ClientCompanyMobile",
    "DocumentUrl",
    "CalculatedTimeConsumption",
    "HourlyRate",
    "InternalCostPerHour",
    "UserIds",
    "IsActive",
    "IsAbsenceProject",
    "Finished",
    "ToBeInvoiced",
    "GeoLocation",
    "InvoiceCalculationNote",
    "OrderTypeId",
    "ExternalReference",
)
_SUBPROJECTS_INPUT = (
    "SubProjectName",
    "SubProjectNumber",
    "IsActive",
    "StartDate",
    "EndDate",
    "DescriptionText",
    "ClientCompanyName",
    "DocumentUrl",
    "CalculatedHourUse",
    "Location",
    "GeoLocation",
    "InvoiceCalculationNote",
    "HSEResponsibleId",
    "QAResponsibleId",
)
_WORKDESCRIPTIONS_INPUT = ("Number", "Name", "IsActive", "Price", "InternalRate")
_MACHINES_INPUT = (
    "InternalNumber",
    "Name",
    "RegistrationNumber",
    "Description",
    "HoursUsed",
    "MilageKm",
    "ModelYear",
    "Location",
    "LocationDateTime",
    "DateAcquired",
    "ResponsibleUser1",
    "ResponsibleUser2",
    "Comment",
    "PricePerHour",
    "SerialNumber",
    "CategoryId",
    "InternalCost",
    "Code",
    "HideInTransportation",
    "MaxTons",
    "MaxM3",
    "IsActive",
    "Trailer",
    "ShowInRegistrations",
    "DepartmentIds",
    "DocumentCenterId",
)
_USERS_INPUT = (
    "UserName",
    "Password",
    "Name",
    "PhonePrefix",
    "PhoneNumber",
    "Email",
    "IsLockedOut",
    "Role",
    "CountryID",
    "LanguageCode",
    "DepartmentId",
    "GroupId",
    "EmployeeNo",
    "ExternalEmployeeNo",
    "BirthDate",
    "IsEnded",
    "UserIsResource",
    "SendSMS",
    "AccessibleProjects",
    "NextOfKinName",
    "NextOfKinPhonePrivate",
    "NextOfKinPhoneWork",
    "NextOfKinRelation",
    "NextOfKin2Name",
    "NextOfKin2PhonePrivate",
    "NextOfKin2PhoneWork",
    "NextOfKin2Relation",
)
# What a wage and an addition (a wage's supplement) both are: priced, exported, ordered.
_PRICED_INPUT = ("IsActive", "Export", "Rate", "HourlyCost", "InternalPrice", "Order", "IsCommentRequired")
_WAGES_INPUT = ("Name", "Number", *_PRICED_INPUT)  # UpdateWageInput
_ADDITIONS_INPUT = ("Number", "Name", "UnitAddition", *_PRICED_INPUT, "IsOvertime")
_GOODS_INPUT = (
    "Name",
    "Number",
    "Amount",
    "Price",
    "InternalCost",
    "UnitId",
    "CategoryId",
    "IsProduction",
    "IsActive",
    "Barcodes",
)
_GOODSCONSUMPTION_INPUT = (
    "ProjectId",
    "GoodsId",
    "Amount",
    "SubProject",
    "Comment",
    "Date",
    "Expence",
    "Deviation",
    "Alteration",
    "DccNumber",
    "FlowId",
    "LocationId",
    "UserId",
)
# For resources without a known input schema, at least these never go back in a PUT.
OUTPUT_ONLY = frozenset({"Id", "Updated", "Created"})


@dataclass(frozen=True)
class Resource:
    path: str
    has_all: bool = True  # GET answers active records only unless all=true
    input_fields: tuple[str, ...] | None = None
    key_field: str | None = None  # the natural key in records
    key_filter: str | None = None  # the list filter for that key


RESOURCES: dict[str, Resource] = {
    "Projects": Resource("/Projects", True, _PROJECTS_INPUT, "ProjectNumber", "projectNumber"),
    "SubProjects": Resource("/SubProjects", True, _SUBPROJECTS_INPUT, "SubProjectNumber", "subProjectNumber"),
    "WorkDescriptions": Resource("/WorkDescriptions", True, _WORKDESCRIPTIONS_INPUT, "Number", "workDescriptionNumber"),
    "Machines": Resource("/Machines", True, _MACHINES_INPUT, "InternalNumber", "internalNumber"),
    "Users": Resource("/Users", True, _USERS_INPUT, "EmployeeNo"),
    "Wages": Resource("/Wages", True, _WAGES_INPUT, "Number", "wageNumber"),
    "Additions": Resource("/Additions", True, _ADDITIONS_INPUT, "Number", "additionNumber"),
    "WorkHours": Resource("/WorkHours", False),
    "GoodsConsumption": Resource("/GoodsConsumption", False, _GOODSCONSUMPTION_INPUT),
    "Goods": Resource("/Goods", True, _GOODS_INPUT, "Number", "goodsNumber"),
    "Customers": Resource("/Customers", True, None, "CustomerNumber", "customerNumber"),
    "Departments": Resource("/Departments", True, None, "Number", "departmentNumber"),
}

__all__ = ["OUTPUT_ONLY", "RESOURCES", "Resource"]
