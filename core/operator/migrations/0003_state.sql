-- Per-tenant state (grunndata.state.StateStore on PostgreSQL): the run journal and the state
-- unattended cycles keep, every row scoped by its tenant.
CREATE TABLE IF NOT EXISTS grunndata.runs (
    id bigserial PRIMARY KEY,
    tenant text NOT NULL,
    kind text NOT NULL DEFAULT 'apply',
    started_at text NOT NULL,
    finished_at text,
    master text NOT NULL,
    config_hash text NOT NULL,
    fingerprint text NOT NULL,
    status text NOT NULL,
    summary jsonb
);
CREATE INDEX IF NOT EXISTS runs_tenant ON grunndata.runs(tenant, id);

-- The write tables (the journal's rows: grunndata.journal.sql_journal.ROW_COLUMNS), a line of
-- columns for each part of a row: its place in its run; what is written; the rule that decided;
-- what happened.
CREATE TABLE IF NOT EXISTS grunndata.actions (
    id bigserial PRIMARY KEY, tenant text NOT NULL, run_id bigint NOT NULL REFERENCES grunndata.runs(id), seq int NOT NULL,
    op text NOT NULL, entity text NOT NULL, target text NOT NULL, key text NOT NULL, fields jsonb NOT NULL,
    reason text NOT NULL, rule text NOT NULL,
    outcome text NOT NULL, remote_id text, detail text, at text NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_run ON grunndata.actions(run_id, seq);

CREATE TABLE IF NOT EXISTS grunndata.transfer_lines (
    id bigserial PRIMARY KEY, tenant text NOT NULL, run_id bigint NOT NULL REFERENCES grunndata.runs(id), seq int NOT NULL,
    op text NOT NULL, kind text NOT NULL, key text NOT NULL, reference text NOT NULL, fields jsonb NOT NULL,
    reason text NOT NULL, rule text NOT NULL,
    outcome text NOT NULL, remote_id text, po_accepted_at text, sd_marked_at text, detail text, at text NOT NULL
);
CREATE INDEX IF NOT EXISTS transfer_lines_run ON grunndata.transfer_lines(run_id, seq);
CREATE INDEX IF NOT EXISTS transfer_lines_ref ON grunndata.transfer_lines(tenant, reference);

CREATE TABLE IF NOT EXISTS grunndata.invoice_writes (
    id bigserial PRIMARY KEY, tenant text NOT NULL, run_id bigint NOT NULL REFERENCES grunndata.runs(id), seq int NOT NULL,
    op text NOT NULL, kind text NOT NULL, key text NOT NULL, reference text NOT NULL, order_id text, digest text,
    fields jsonb NOT NULL,
    reason text NOT NULL, rule text NOT NULL,
    outcome text NOT NULL, remote_id text, detail text, at text NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_writes_run ON grunndata.invoice_writes(run_id, seq);
CREATE INDEX IF NOT EXISTS invoice_writes_key ON grunndata.invoice_writes(tenant, key);

CREATE TABLE IF NOT EXISTS grunndata.state_watermarks (
    tenant text NOT NULL, name text NOT NULL, value text NOT NULL, PRIMARY KEY (tenant, name));
CREATE TABLE IF NOT EXISTS grunndata.state_snapshot (
    tenant text NOT NULL, name text NOT NULL, records jsonb NOT NULL, PRIMARY KEY (tenant, name));
CREATE TABLE IF NOT EXISTS grunndata.state_waiting (
    tenant text NOT NULL,
    run_id bigint NOT NULL,
    reason text NOT NULL,
    summary jsonb NOT NULL,
    plan jsonb NOT NULL,
    dependencies jsonb NOT NULL,
    created timestamptz NOT NULL,
    outcome text,
    PRIMARY KEY (tenant, run_id)
);
CREATE TABLE IF NOT EXISTS grunndata.state_cycles (
    id bigserial PRIMARY KEY,
    tenant text NOT NULL,
    kind text NOT NULL,
    mode text NOT NULL,
    started timestamptz NOT NULL,
    finished timestamptz,
    ok boolean,
    error jsonb,
    counts jsonb,
    run_id bigint
);
CREATE INDEX IF NOT EXISTS state_cycles_kind ON grunndata.state_cycles(tenant, kind, id);
CREATE TABLE IF NOT EXISTS grunndata.state_meta (
    tenant text NOT NULL, key text NOT NULL, value jsonb NOT NULL, PRIMARY KEY (tenant, key));
