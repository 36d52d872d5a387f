"""Every hook a grunndata plugin may implement.

Plugins are modules or objects registered under the entry-point group
``grunndata``; the built-in ones register exactly the same way. Each hook
below returns a list (pluggy collects one result per plugin), so a plugin may
contribute several items of a kind.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from grunndata.engine.model import Check, Direction, Entity
    from grunndata.engine.transfer_plan import Transfer

PROJECT_NAME = "grunndata"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def grunndata_directions() -> list[Direction]:
    """Directions this plugin offers.

    A direction is named after the system that is master (``smartdok_master``,
    ``poweroffice_master``) and says, per entity, which system is the source
    and which the target. The config key ``master`` picks exactly one.
    """


@hookspec
def grunndata_entities() -> list[Entity]:
    """Entity kinds this plugin syncs (projects, activities, machines, ...).

    An entity knows how to read its records from a snapshot, how to compare
    source against target under the rules and emit plan actions, and how to
    write one action through the clients.
    """


@hookspec
def grunndata_checks() -> list[Check]:
    """Checks run by ``grunndata doctor`` (matching requirements R3-R5 and more)."""


@hookspec
def grunndata_transfers() -> list[Transfer]:
    """Transfers this plugin offers to ``grunndata transfer`` (hours, machine hours, goods, ...).

    A transfer is named after its kind and owns the rule key of the same name.
    It reads its SmartDok rows for one date window and marks a row as sent once
    PowerOffice has accepted it; which rows qualify and how each maps to a
    PowerOffice line are rules (YAML), decided by the shared engine in
    ``grunndata.engine.transfer``. Two plugins offering one kind is an error.
    """


@hookspec
def grunndata_rules_schema() -> dict[str, Any]:
    """JSON Schema fragments for top-level rule keys this plugin owns.

    Return ``{key: schema}``. Every property should carry a Norwegian
    ``description`` and a ``default`` so editors can hover and complete.
    Two plugins claiming one key is an error.
    """


@hookspec
def grunndata_rule_files() -> list[Path]:
    """YAML rule files this plugin ships, loaded after the core's shipped rules
    and before the customer's own files (which therefore win)."""


@hookspec
def grunndata_commands() -> list[Any]:
    """Extra ``click`` commands to add to the ``grunndata`` command line."""
