"""Oppsett: master, standard project (R7), schedule and guardrails; saved into grunndata.yaml."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console import backend, backend_setup, config_edit
from grunndata.console.backend import Pos, Problem, Refusal
from grunndata.console.web import in_thread, integration_of, post, render

# The config schema's section for when the integration runs unattended (added by the scheduler's
# work); the page renders its fields only when the schema knows it.
SCHEDULE_KEY = "schedule"
# The rules key for guardrails of unattended runs (read-only here: it lives in the rule files).
GUARDRAILS_KEY = "unattended"


def _schedule_fields(session: backend.Session) -> list[dict[str, Any]]:
    section = backend.config_schema(session).get("properties", {}).get(SCHEDULE_KEY)
    if not isinstance(section, dict):
        return []
    data = session.config.doc.data if session.config.doc is not None else {}
    current = data.get(SCHEDULE_KEY) if isinstance(data, dict) else None
    current = current if isinstance(current, dict) else {}
    return [
        {
            "key": name,
            "name": f"{SCHEDULE_KEY}.{name}",
            "description": spec.get("description", ""),
            "type": spec.get("type"),
            "value": "" if current.get(name) is None else str(current.get(name)),
        }
        for name, spec in (section.get("properties") or {}).items()
    ]


def _guardrails(session: backend.Session) -> dict[str, Any] | None:
    spec = backend.rules_schema(session).get("properties", {}).get(GUARDRAILS_KEY)
    if not isinstance(spec, dict):
        return None
    return {
        "description": spec.get("description", ""),
        "value": session.rules.get(GUARDRAILS_KEY),
        "where": session.rules.where(GUARDRAILS_KEY),
    }


def _typed(value: str, kind: Any) -> Any:
    """A form value as the type the schema asks for (the schema still has the last word)."""
    kinds = kind if isinstance(kind, list) else [kind]
    text = value.strip()
    if "integer" in kinds and text.lstrip("-").isdigit():
        return int(text)
    if "number" in kinds:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            pass
    if "boolean" in kinds and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _read_projects(session: backend.Session, transports: Any) -> tuple[list[dict] | None, Refusal | None]:
    try:
        return backend_setup.poweroffice_projects(session, transports), None
    except Refusal as exc:
        return None, exc


def _context(session: backend.Session, transports: Any) -> dict[str, Any]:
    raw, read_error = _read_projects(session, transports)
    return {
        "masters": backend.masters(session),
        "master": session.config.master,
        "standard_project": session.config.standard_project or "",
        "rules": backend_setup.standard_project_rules(session),
        "choices": backend_setup.project_choices(session, raw) if raw is not None else None,
        "read_error": read_error,
        "blockers": backend_setup.setup_blockers(session, raw) if raw is not None else [],
        "schedule": _schedule_fields(session),
        "guardrails": _guardrails(session),
        "config_exists": session.config.path is not None,
    }


async def show(request: Request) -> Response:
    integration = integration_of(request)
    try:
        session = await in_thread(integration.session)
    except Refusal as exc:
        return render(request, "oppsett.html", {"broken": exc})
    context = await in_thread(_context, session, integration.reach)
    return render(request, "oppsett.html", {"broken": None, "problems": [], "saved": None, **context})


def _r7_check(raw: list[dict] | None, read_error: Refusal | None):
    """The engine's own setup check (R7) over PowerOffice's projects, as problems at the
    ``standard_project`` line of the file being saved."""

    def check(session: backend.Session) -> list[Problem]:
        if session.config.master not in backend_setup.standard_project_rules(session):
            return []
        doc = session.config.doc
        pos = (doc.pos(("standard_project",)) or doc.pos(("master",))) if doc is not None else None
        pos = pos or Pos(str(session.config.path), 1, 1)
        if raw is None:
            why = read_error.detail if read_error else ""
            return [Problem(pos, f"PowerOffice: {why}")]
        return [Problem(pos, f"{b['reason']} [{b['rule']}]") for b in backend_setup.setup_blockers(session, raw)]

    return check


def _save(integration: Any, form: dict[str, str]) -> dict[str, Any]:
    session = integration.session()
    changes: dict[str, Any] = {}
    master = form.get("master", "").strip()
    if master:
        changes["master"] = master
    number = form.get("standard_project", "").strip()
    changes["standard_project"] = config_edit.as_text(number) if number else config_edit.DELETE
    for spec in _schedule_fields(session):
        value = form.get(spec["name"], "")
        changes[spec["name"]] = _typed(value, spec["type"]) if value.strip() else config_edit.DELETE
    raw, read_error = (None, None)
    if master in backend_setup.standard_project_rules(session):
        raw, read_error = _read_projects(session, integration.reach)
    result = config_edit.save(integration.config_path, changes, _r7_check(raw, read_error))
    if result.saved and integration.on_saved is not None:
        try:
            integration.on_saved(integration.config_path)
        except Exception as exc:  # e.g. the operator's database is away: say so, in the page
            raise backend.refusal(exc) from None
    return {"result": result, "master": master, "standard_project": number}


@post
async def save(request: Request) -> Response:
    integration = integration_of(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        outcome = await in_thread(_save, integration, form)
    except Refusal as exc:
        return render(request, "oppsett.html", {"broken": exc}, status=400)
    result = outcome["result"]
    try:
        session = await in_thread(integration.session)
    except Refusal as exc:
        return render(request, "oppsett.html", {"broken": exc}, status=400)
    context = await in_thread(_context, session, integration.reach)
    if not result.saved:  # show what was asked for, with why it was refused
        context.update(master=outcome["master"] or context["master"], standard_project=outcome["standard_project"])
    return render(
        request,
        "oppsett.html",
        {
            **context,
            "broken": None,
            "problems": result.problems,
            "saved": integration.config_path.read_text(encoding="utf-8") if result.saved else None,
        },
        status=200 if result.saved else 400,
    )
