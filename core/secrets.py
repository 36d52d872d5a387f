"""Secrets come from the environment only, and never reach output."""

from __future__ import annotations

import os
from dataclasses import dataclass

from grunndata.errors import GrunndataError

SMARTDOK_VARS = ("SMARTDOK_API_TOKEN",)
POWEROFFICE_VARS = ("POWEROFFICE_APPLICATION_KEY", "POWEROFFICE_CLIENT_KEY", "POWEROFFICE_SUBSCRIPTION_KEY")


class MissingSecret(GrunndataError):
    pass


@dataclass(frozen=True)
class Secrets:
    smartdok_api_token: str
    poweroffice_application_key: str
    poweroffice_client_key: str
    poweroffice_subscription_key: str

    def __repr__(self) -> str:  # never print the values, not even in a debugger dump
        return "Secrets(<hidden>)"

    __str__ = __repr__

    def values(self) -> list[str]:
        return [
            self.smartdok_api_token,
            self.poweroffice_application_key,
            self.poweroffice_client_key,
            self.poweroffice_subscription_key,
        ]


def from_environment(environ: dict[str, str] | None = None) -> Secrets:
    env = os.environ if environ is None else environ
    missing = [v for v in SMARTDOK_VARS + POWEROFFICE_VARS if not env.get(v)]
    if missing:
        raise MissingSecret(
            "mangler i miljøet: " + ", ".join(missing) + " (hemmeligheter leses bare fra miljøvariabler)"
        )
    return Secrets(
        env["SMARTDOK_API_TOKEN"],
        env["POWEROFFICE_APPLICATION_KEY"],
        env["POWEROFFICE_CLIENT_KEY"],
        env["POWEROFFICE_SUBSCRIPTION_KEY"],
    )
