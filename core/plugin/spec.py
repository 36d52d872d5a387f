"""Every hook a grunndata plugin may implement, with its contract.

Plugins are modules, classes or objects registered under the entry-point group
``grunndata``; the built-in ones register exactly the same way. An entry point
naming a class registers an instance of it (made with no arguments), so its
methods are hooks; ``@hookimpl(specname="grunndata_checks")`` lets a method or
function of another name implement a hook. A function marked ``@hookimpl``
whose name (or ``specname``) is not a hook below is a mistake: the plugin is
named and skipped (an error under ``GRUNNDATA_STRICT_PLUGINS=1``).

Every hook takes no arguments. The list hooks return a list (one per
implementation; pluggy collects them), so a plugin may offer several items of
a kind. Two plugins offering one name of a kind (entity, direction, check,
transfer, rule key, command) is an error naming both.

This module imports no engine module at run time: the result types are for
type checkers only, so loading the specs loads nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import click

    from grunndata.engine.invoice_plan import InvoiceSource
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
    write one action through the clients. It must declare ``reads`` (a list of
    :class:`grunndata.engine.model.Read`): the snapshot reads the union of what
    the loaded plugins declare, and nothing else. An entity no direction names
    says which way it flows under each direction in ``flows``.
    """


@hookspec
def grunndata_checks() -> list[Check]:
    """Checks run by ``grunndata doctor`` (matching requirements R3-R5 and more).

    A check's ``reads`` names the list reads it looks at in the snapshot."""


@hookspec
def grunndata_transfers() -> list[Transfer]:
    """Transfers this plugin offers to ``grunndata transfer`` (hours, machine hours, goods, ...).

    A transfer is named after its kind and owns the rule key of the same name.
    It reads its SmartDok rows for one date window and marks a row as sent once
    PowerOffice has accepted it; which rows qualify and how each maps to a
    PowerOffice line are rules (YAML), decided by the shared engine in
    ``grunndata.engine.transfer``. Its ``reads`` names the snapshot's list reads
    its rows are mapped against (its rows themselves are read per window).
    """


@hookspec
def grunndata_invoice_sources() -> list[InvoiceSource]:
    """Where ``grunndata invoice`` reads invoice bases (fakturagrunnlag) from.

    A source reads the invoice bases of a period and a project's prices; how each
    basis becomes a PowerOffice sales order is the rule section ``invoice:``, decided
    by the core (``grunndata.engine.invoice``). Its ``reads`` names the snapshot's
    list reads its bases are mapped against.
    """


@hookspec
def grunndata_rules_schema() -> dict[str, Any]:
    """JSON Schema fragments for top-level rule keys this plugin owns.

    Return ``{key: schema}``. Every property should carry a Norwegian
    ``description`` and a ``default`` so editors can hover and complete.
    """


@hookspec
def grunndata_rule_files() -> list[Path]:
    """YAML rule files this plugin ships, loaded after the core's shipped rules
    and before the customer's own files (which therefore win)."""


@hookspec
def grunndata_commands() -> list[click.Command]:
    """Extra ``click`` commands to add to the ``grunndata`` command line."""
