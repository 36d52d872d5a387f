"""A tenant's secrets: its secrets file, or environment variables prefixed by its name.

Never stored in the database, never shown. The file holds ``KEY=value`` lines with the four
usual names (blank lines and ``#`` comments allowed) and is refused unless only its owner may
read it; its path must exist on every worker. Without a file the environment gives them,
``acme-bygg`` → ``ACME_BYGG__SMARTDOK_API_TOKEN`` (name upper-cased, every character other than a
letter or digit turned into ``_``, then ``__``).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from grunndata.secrets import POWEROFFICE_VARS, SMARTDOK_VARS, MissingSecret, Secrets

NAMES = SMARTDOK_VARS + POWEROFFICE_VARS


def env_prefix(tenant: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", tenant.upper()) + "__"


def check_file(path: str) -> Path:
    """The secrets file exists, is a file and only its owner may read or write it."""
    file = Path(path)
    try:
        info = file.stat()
    except OSError:
        raise MissingSecret(f"{path}: hemmelighetsfilen finnes ikke") from None
    if not stat.S_ISREG(info.st_mode):
        raise MissingSecret(f"{path}: hemmelighetsfilen er ikke en vanlig fil")
    if info.st_mode & 0o077:
        raise MissingSecret(f"{path}: hemmelighetsfilen kan leses av andre enn eieren; kjør «chmod 600 {path}»")
    return file


def read_file(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    text = check_file(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or key not in NAMES:
            # the line may hold a secret: only its number is named
            raise MissingSecret(f"{path}:{number}: ventet NAVN=verdi med ett av navnene {', '.join(NAMES)}")
        values[key] = value.strip().strip('"').strip("'")
    return values


def tenant_secrets(tenant: str, secrets_file: str | None, environ: Mapping[str, str] | None = None) -> Secrets:
    env = os.environ if environ is None else environ
    if secrets_file:
        values = read_file(secrets_file)
        where = secrets_file
    else:
        prefix = env_prefix(tenant)
        values = {name: env.get(prefix + name, "") for name in NAMES}
        where = "miljøet (" + ", ".join(prefix + n for n in NAMES) + ")"
    missing = [n for n in NAMES if not values.get(n)]
    if missing:
        raise MissingSecret(f"kunden «{tenant}» mangler {', '.join(missing)} i {where}")
    return Secrets(
        values["SMARTDOK_API_TOKEN"],
        values["POWEROFFICE_APPLICATION_KEY"],
        values["POWEROFFICE_CLIENT_KEY"],
        values["POWEROFFICE_SUBSCRIPTION_KEY"],
    )
