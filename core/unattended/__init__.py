"""The pure parts of running unattended (issue 13): no I/O, no clock, no journal.

- :mod:`.schedule` — the schedule grammar and when the next cycle starts (``next_run``).
- :mod:`.schedule_config` — the ``schedule:`` key of ``grunndata.yaml``: schema, check, settings.
- :mod:`.guardrails` — whether a cycle may write its plan unattended, and if not why.
- :mod:`.staleness` — per-action dependency fingerprints of a waiting plan, and what changed since.
- :mod:`.status` — ``grunndata status`` (JSON and text) from stored facts.
- :mod:`.watermarks` — merging a change set into the kept snapshot, and the next watermarks.

The caller passes the time (``now``) and what it stored; these modules only decide.
"""
