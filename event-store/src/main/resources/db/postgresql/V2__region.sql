-- The regional agent's tables (issue 4): Raft bookkeeping, the Kafka outbox, replicated CRDT state, the agent
-- registry, sagas, aggregate snapshots, and the audit log partitioned by month. Same rules as V1: owned by the
-- migrating role, used by dcs_app under forced row-level security scoped by app.tenant_id.

-- dcs_app logs in itself where the migrating role may allow it (the service connects as it, not as the owner).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
    ALTER ROLE dcs_app LOGIN;
  END IF;
END $$;

-- Where each event sits in the region's Raft log: the global commit order (readers page by it).
ALTER TABLE event_index ADD COLUMN raft_index bigint NOT NULL DEFAULT 0;
ALTER TABLE event_index ADD COLUMN raft_pos integer NOT NULL DEFAULT 0;
CREATE INDEX event_index_commit_order ON event_index (tenant_id, raft_index, raft_pos);
CREATE INDEX event_index_stream ON event_index (tenant_id, stream_id, stream_version);

-- The last Raft entry applied to this database, per Raft group: written in the same transaction as the entry's
-- events, so whichever node applies an entry first writes it and every other node skips it (exactly once).
CREATE TABLE raft_applied (
  group_id      text PRIMARY KEY,
  applied_index bigint      NOT NULL,
  applied_term  bigint      NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Events on their way to Kafka, written with the events and deleted once the broker acknowledged them.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  tenant_id   text        NOT NULL,
  event_id    text        NOT NULL,
  topic       text        NOT NULL,
  message_key text        NOT NULL,
  payload     bytea       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The region's merged CRDT state (the replicated state machine holds it too; this is its queryable copy).
CREATE TABLE crdt_state (
  tenant_id   text        NOT NULL,
  crdt_id     text        NOT NULL,
  crdt_type   text        NOT NULL,
  version     bigint      NOT NULL,
  bundle      bytea       NOT NULL, -- the CRDTStateBundle
  raft_index  bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, crdt_id)
);

-- Agents known to the region, with the public keys their events must verify against.
CREATE TABLE agent_registry (
  tenant_id      text        NOT NULL,
  agent_id       text        NOT NULL,
  agent_type     text        NOT NULL,
  branch_id      text        NOT NULL,
  status         text        NOT NULL,
  public_key     bytea       NOT NULL,
  registration   bytea       NOT NULL, -- the AgentRegistration
  last_heartbeat timestamptz NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, agent_id)
);

-- Snapshots: the state an aggregate (or the region's state machine, stream 'raft:<group>') had at a version.
CREATE TABLE snapshots (
  tenant_id   text        NOT NULL,
  stream_id   text        NOT NULL,
  version     bigint      NOT NULL,
  state       bytea       NOT NULL,
  checksum    text        NOT NULL, -- hex SHA-256 of state
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stream_id, version)
);

-- Cross-branch sagas (run by the master agent) and their steps.
CREATE TABLE saga_instances (
  tenant_id   text        NOT NULL,
  saga_id     text        NOT NULL,
  saga_type   text        NOT NULL,
  state       text        NOT NULL,
  version     integer     NOT NULL,
  payload     bytea       NOT NULL,
  deadline    timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, saga_id)
);
CREATE TABLE saga_steps (
  tenant_id   text        NOT NULL,
  saga_id     text        NOT NULL,
  step_no     integer     NOT NULL,
  step_name   text        NOT NULL,
  status      text        NOT NULL,
  event_id    text,
  detail      text        NOT NULL DEFAULT '',
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, saga_id, step_no),
  FOREIGN KEY (tenant_id, saga_id) REFERENCES saga_instances (tenant_id, saga_id)
);

-- Who did what: partitioned by month, append-only, partitions created ahead by dcs_ensure_audit_partitions.
CREATE TABLE audit_log (
  tenant_id  text        NOT NULL,
  at         timestamptz NOT NULL,
  actor      text        NOT NULL,
  action     text        NOT NULL,
  subject    text        NOT NULL,
  detail     text        NOT NULL DEFAULT ''
) PARTITION BY RANGE (at);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, at);

-- Creates the monthly partitions of audit_log from the month of from_ts to months_ahead months later.
-- SECURITY DEFINER: dcs_app may call it (the service runs it at start and daily) without owning the table.
CREATE FUNCTION dcs_ensure_audit_partitions(from_ts timestamptz, months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  m date := date_trunc('month', from_ts)::date;
  created integer := 0;
  name text;
BEGIN
  FOR i IN 0..months_ahead LOOP
    name := format('audit_log_%s', to_char(m, 'YYYY_MM'));
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = name) THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)', name, m,
        (m + interval '1 month')::date);
      created := created + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN created;
END $$;
SELECT dcs_ensure_audit_partitions(now(), 3);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Row-level security, enabled and forced on every tenant table (V1 did event_store, event_index, stream_metadata).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outbox', 'crdt_state', 'agent_registry', 'snapshots', 'saga_instances', 'saga_steps',
                           'audit_log'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO dcs_app USING (tenant_id = current_setting(''app.tenant_id'', true)) WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
    EXECUTE format('CREATE POLICY owner_all ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
  END LOOP;
END $$;

-- Views and functions run as the caller, so row-level security applies through them too.
CREATE VIEW branch_event_totals WITH (security_invoker = true) AS
  SELECT tenant_id, branch_id, count(*) AS events, sum(amount_minor) AS amount_minor, currency
  FROM event_store GROUP BY tenant_id, branch_id, currency;
CREATE FUNCTION dcs_event_count(p_branch text) RETURNS bigint LANGUAGE sql STABLE SECURITY INVOKER AS $$
  SELECT count(*) FROM event_store WHERE branch_id = p_branch
$$;

GRANT SELECT, INSERT, UPDATE ON raft_applied TO dcs_app;
GRANT SELECT, INSERT, DELETE ON outbox TO dcs_app;
GRANT USAGE, SELECT ON SEQUENCE outbox_id_seq TO dcs_app;
GRANT SELECT, INSERT, UPDATE ON crdt_state, agent_registry, saga_instances TO dcs_app;
GRANT SELECT, INSERT ON snapshots, saga_steps, audit_log TO dcs_app;
GRANT SELECT ON branch_event_totals TO dcs_app;
GRANT EXECUTE ON FUNCTION dcs_event_count(text), dcs_ensure_audit_partitions(timestamptz, integer) TO dcs_app;
