-- The regional event store's core (issue 4 builds the rest: outbox, Raft index, snapshots, sagas, registry, audit).
-- Owned by the migrating role; services read and write as the non-owner role dcs_app under row-level security,
-- scoped by SET app.tenant_id. Append-only by trigger.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dcs_app') THEN
    CREATE ROLE dcs_app NOLOGIN;
  END IF;
END $$;

-- Every committed event, hash-partitioned 8 ways by stream so one stream's events share a partition.
CREATE TABLE event_store (
  tenant_id       text        NOT NULL,
  branch_id       text        NOT NULL,
  stream_id       text        NOT NULL,
  stream_version  integer     NOT NULL,
  event_id        text        NOT NULL,
  event_type      integer     NOT NULL,
  idempotency_key text        NOT NULL,
  amount_minor    bigint      NOT NULL,
  currency        text        NOT NULL,
  event_ts        timestamptz NOT NULL,
  hlc_physical_ms bigint      NOT NULL,
  hlc_logical     integer     NOT NULL,
  event_hash      text        NOT NULL,
  event_bytes     bytea       NOT NULL, -- the SovereignFinancialEvent, sealed and signed, as received
  committed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stream_id, stream_version)
) PARTITION BY HASH (stream_id);

CREATE TABLE event_store_p0 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE event_store_p1 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE event_store_p2 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE event_store_p3 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE event_store_p4 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE event_store_p5 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE event_store_p6 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE event_store_p7 PARTITION OF event_store FOR VALUES WITH (MODULUS 8, REMAINDER 7);
CREATE INDEX event_store_branch_time ON event_store (tenant_id, branch_id, event_ts);

-- Global uniqueness a partitioned table cannot enforce across partitions: event id, and idempotency key per tenant.
CREATE TABLE event_index (
  event_id        text PRIMARY KEY,
  tenant_id       text    NOT NULL,
  idempotency_key text    NOT NULL,
  stream_id       text    NOT NULL,
  stream_version  integer NOT NULL,
  UNIQUE (tenant_id, idempotency_key)
);

-- Current version per stream (optimistic concurrency).
CREATE TABLE stream_metadata (
  tenant_id  text        NOT NULL,
  stream_id  text        NOT NULL,
  version    integer     NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stream_id)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER event_store_append_only BEFORE UPDATE OR DELETE ON event_store
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_index_append_only BEFORE UPDATE OR DELETE ON event_index
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Row-level security, enabled and forced: dcs_app sees only its tenant; the owner (migrations, rebuilds) sees all.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['event_store', 'event_index', 'stream_metadata'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO dcs_app USING (tenant_id = current_setting(''app.tenant_id'', true)) WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON event_store, event_index TO dcs_app;
GRANT SELECT, INSERT, UPDATE ON stream_metadata TO dcs_app;
