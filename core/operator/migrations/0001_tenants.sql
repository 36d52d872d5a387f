-- Tenants: one row per company the operator runs, its config and rule files as stored versions.
-- Secrets are never here: they come from the tenant's secrets file or the environment.
CREATE SCHEMA IF NOT EXISTS grunndata;

CREATE TABLE IF NOT EXISTS grunndata.tenants (
    name text PRIMARY KEY,
    added_at timestamptz NOT NULL DEFAULT now(),
    removed_at timestamptz,
    current_version bigint
);

-- Every config a tenant ever had (re-adding a name adds a version; removing keeps them).
CREATE TABLE IF NOT EXISTS grunndata.tenant_configs (
    id bigserial PRIMARY KEY,
    tenant text NOT NULL REFERENCES grunndata.tenants(name),
    added_at timestamptz NOT NULL DEFAULT now(),
    master text NOT NULL,
    config_hash text NOT NULL,
    config_name text NOT NULL,
    config_text text NOT NULL,
    rule_files jsonb NOT NULL,          -- [{"name": "rules/kunde.yaml", "text": "..."}] in load order
    secrets_file text,                  -- a path on every worker; never the secrets
    schedule jsonb NOT NULL             -- the schedule: key as the dispatcher reads it
);
CREATE INDEX IF NOT EXISTS tenant_configs_tenant ON grunndata.tenant_configs(tenant, id);

-- What the dispatcher and the workers know of each tenant's cycles, beyond the journal:
-- starts of recent sync cycles (the achieved interval) and when a kind was last queued.
CREATE TABLE IF NOT EXISTS grunndata.cycle_starts (
    tenant text NOT NULL,
    kind text NOT NULL,
    started_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, kind, started_at)
);
