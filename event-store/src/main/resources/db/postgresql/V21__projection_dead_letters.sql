-- Kafka records the query service can never project (not an event, invalid content, a sum that overflows a
-- bigint), set aside so that the consumer moves on; written in the transaction that advances the partition's offset.
-- Kept by the consumer like projection_position (a record that does not parse has no tenant: tenant_id empty).
CREATE TABLE projection_dead_letters (
  id           bigserial   PRIMARY KEY,
  topic        text        NOT NULL,
  "partition"  int         NOT NULL,
  "offset"     bigint      NOT NULL,
  tenant_id    text        NOT NULL DEFAULT '',
  event_id     text        NOT NULL DEFAULT '',  -- empty when the record is not an event; texts escaped (\uXXXX)
  branch_id    text        NOT NULL DEFAULT '',
  reason       text        NOT NULL,
  record_value bytea       NOT NULL,
  dead_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic, "partition", "offset")
);

-- Like every table with a tenant_id: forced row-level security. The query service writes and lists as the owner
-- (a record that does not parse has no tenant); the application role sees its tenant's rows only.
ALTER TABLE projection_dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE projection_dead_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON projection_dead_letters TO dcs_app
  USING (tenant_id = current_setting('app.tenant_id', true));
DO $$
BEGIN
  EXECUTE format('CREATE POLICY owner_all ON projection_dead_letters TO %I USING (true) WITH CHECK (true)',
    current_user);
END $$;
