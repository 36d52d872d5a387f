"""A tenant's secrets: the environment prefix and the secrets file (no database needed)."""
from __future__ import annotations

import os

import pytest

from grunndata.operator.tenant_secrets import env_prefix, tenant_secrets
from grunndata.secrets import MissingSecret

VALUES = {"SMARTDOK_API_TOKEN": "sd", "POWEROFFICE_APPLICATION_KEY": "app", "POWEROFFICE_CLIENT_KEY": "client",
          "POWEROFFICE_SUBSCRIPTION_KEY": "sub"}


def test_env_prefix():
    assert env_prefix("acme-bygg") == "ACME_BYGG__"
    assert env_prefix("firma.0001") == "FIRMA_0001__"


def test_from_environment_with_prefix():
    env = {"ACME_BYGG__" + k: v for k, v in VALUES.items()}
    assert tenant_secrets("acme-bygg", None, env).values() == ["sd", "app", "client", "sub"]
    with pytest.raises(MissingSecret) as err:
        tenant_secrets("other", None, env)
    assert "OTHER__SMARTDOK_API_TOKEN" in str(err.value)


def test_secrets_file(tmp_path):
    path = tmp_path / "s.env"
    path.write_text("# kunde\n\n" + "\n".join(f"{k}={v}" for k, v in VALUES.items()) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    assert tenant_secrets("x", str(path), {}).poweroffice_subscription_key == "sub"
    os.chmod(path, 0o640)
    with pytest.raises(MissingSecret, match="chmod 600"):
        tenant_secrets("x", str(path), {})
    os.chmod(path, 0o600)
    path.write_text("TOKEN=hemmelig-verdi\n", encoding="utf-8")
    with pytest.raises(MissingSecret) as err:
        tenant_secrets("x", str(path), {})
    assert ":1:" in str(err.value) and "hemmelig-verdi" not in str(err.value)
