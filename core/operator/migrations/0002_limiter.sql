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

-- One attempt of a waiter to take a place: under the key's transaction lock, the place goes to
-- the first waiter in order (priority, the tenant served longest ago, arrival) while fewer than
-- ``capacity`` requests are in flight or answered within ``window`` seconds. Returns the grant's
-- id (NULL: not yet) and how long to wait before the next attempt.
CREATE OR REPLACE FUNCTION grunndata.po_try_acquire(p_waiter bigint, p_key text, p_capacity int,
                                                    p_window double precision, p_stale double precision,
                                                    OUT grant_id bigint, OUT wait_s double precision)
LANGUAGE plpgsql AS $$
DECLARE
    now_ts timestamptz := clock_timestamp();
    w_tenant text;
    head bigint;
    busy int;
    oldest timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('grunndata.po:' || p_key));
    now_ts := clock_timestamp();
    -- A waiter that stopped asking (its worker died) leaves the queue; so do old answers.
    DELETE FROM grunndata.po_waiters WHERE key_label = p_key AND seen_at < now_ts - make_interval(secs => p_stale);
    DELETE FROM grunndata.po_grants WHERE key_label = p_key AND released_at < now_ts - make_interval(secs => p_window + 5);
    -- A place taken by a worker that died is counted as released when it went quiet.
    UPDATE grunndata.po_grants SET released_at = acquired_at + interval '60 seconds'
     WHERE key_label = p_key AND released_at IS NULL AND acquired_at < now_ts - interval '60 seconds';
    UPDATE grunndata.po_waiters SET seen_at = now_ts WHERE id = p_waiter RETURNING tenant INTO w_tenant;
    IF w_tenant IS NULL THEN  -- expired while we were away: queue again at the back
        grant_id := NULL; wait_s := -1; RETURN;
    END IF;
    SELECT w.id INTO head FROM grunndata.po_waiters w
      LEFT JOIN grunndata.po_served s ON s.key_label = w.key_label AND s.tenant = w.tenant
     WHERE w.key_label = p_key
     ORDER BY w.priority, s.served_at NULLS FIRST, w.enqueued_at, w.id LIMIT 1;
    SELECT count(*), min(released_at) INTO busy, oldest FROM grunndata.po_grants
     WHERE key_label = p_key AND (released_at IS NULL OR released_at > now_ts - make_interval(secs => p_window));
    IF head = p_waiter AND busy < p_capacity THEN
        DELETE FROM grunndata.po_waiters WHERE id = p_waiter;
        INSERT INTO grunndata.po_grants (key_label, tenant, acquired_at) VALUES (p_key, w_tenant, now_ts)
          RETURNING id INTO grant_id;
        INSERT INTO grunndata.po_served (key_label, tenant, served_at) VALUES (p_key, w_tenant, now_ts)
          ON CONFLICT (key_label, tenant) DO UPDATE SET served_at = EXCLUDED.served_at;
        wait_s := 0;
        RETURN;
    END IF;
    grant_id := NULL;
    IF head = p_waiter AND oldest IS NOT NULL THEN
        -- the next place frees when the oldest answer leaves the window
        wait_s := GREATEST(0.002, p_window - extract(epoch FROM now_ts - oldest));
    ELSE
        wait_s := 0.02;
    END IF;
END $$;
