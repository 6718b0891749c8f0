-- Events a region can never store (invalid content, or PostgreSQL refuses their content: SQLState class 22, 23
-- other than a duplicate, 54), set aside by the Raft state machine so that the entry completes and the log moves on.
-- Written once per event by the node that writes the entry; the other nodes read the same outcome from here.
-- Texts are escaped (a NUL or other control character as \uXXXX): a text column cannot hold what was refused.
CREATE TABLE quarantined_events (
  tenant_id       text        NOT NULL,
  event_id        text        NOT NULL,
  branch_id       text        NOT NULL,
  agent_id        text        NOT NULL,
  stream_id       text        NOT NULL,
  stream_version  integer     NOT NULL,
  event_type      integer     NOT NULL,
  raft_index      bigint      NOT NULL,
  raft_pos        integer     NOT NULL,
  reason          text        NOT NULL,
  sql_state       text        NOT NULL DEFAULT '', -- empty: refused by validation, not by PostgreSQL
  event_bytes     bytea       NOT NULL,            -- the SovereignFinancialEvent as received
  quarantined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX quarantined_events_order ON quarantined_events (tenant_id, raft_index, raft_pos);

CREATE TRIGGER quarantined_events_append_only BEFORE UPDATE OR DELETE ON quarantined_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

ALTER TABLE quarantined_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE quarantined_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quarantined_events TO dcs_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON quarantined_events TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT ON quarantined_events TO dcs_app;
