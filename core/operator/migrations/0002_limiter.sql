-- The PowerOffice budget shared by every worker: one row per request in flight or answered
-- within the last window, per subscription key (named by a hash, never the key).
CREATE TABLE IF NOT EXISTS grunndata.po_grants (
    id bigserial PRIMARY KEY,
    key_label text NOT NULL,
    tenant text NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    released_at timestamptz
);
CREATE INDEX IF NOT EXISTS po_grants_key ON grunndata.po_grants(key_label, released_at);

-- Requests waiting for a place: granted in order of priority (writes first), then the tenant
-- served longest ago, then arrival. A waiter that stops polling (its worker died) expires.
CREATE TABLE IF NOT EXISTS grunndata.po_waiters (
    id bigserial PRIMARY KEY,
    key_label text NOT NULL,
    tenant text NOT NULL,
    priority int NOT NULL,
    enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    seen_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS po_waiters_key ON grunndata.po_waiters(key_label, priority, enqueued_at);

CREATE TABLE IF NOT EXISTS grunndata.po_served (
    key_label text NOT NULL,
    tenant text NOT NULL,
    served_at timestamptz NOT NULL,
    PRIMARY KEY (key_label, tenant)
);
