"""Refuse secrets in YAML: they belong in the environment, never in a file."""

from __future__ import annotations

import re

from grunndata.rulebook.yamlpos import Located, Problem

# A key that names a secret (token, client_key ...), not one that merely mentions it (token_url).
SECRET_KEY = re.compile(
    r"(?i)(^|[_-])(token|api_?token|secret|client_?secret|password|passord|passwd|client_?key|application_?key"
    r"|subscription_?key|api_?key|credentials?)$"
)
ENV_HINT = "SMARTDOK_API_TOKEN, POWEROFFICE_APPLICATION_KEY, POWEROFFICE_CLIENT_KEY, POWEROFFICE_SUBSCRIPTION_KEY"


def secret_keys(doc: Located, allowed: frozenset[str] = frozenset()) -> list[Problem]:
    """A problem for every key that looks like it holds a secret."""
    problems = []
    for path, pos in doc.key_pos.items():
        key = str(path[-1])
        if key in allowed or not SECRET_KEY.search(key):
            continue
        problems.append(
            Problem(
                pos,
                f"'{key}' ser ut som en hemmelighet; hemmeligheter leses bare fra"
                f" miljøvariabler ({ENV_HINT}), aldri fra en fil",
            )
        )
    return problems
