-- Kafka records the query service can never project (not an event, invalid content, a sum that overflows a
-- bigint), set aside so that the consumer moves on; written in the transaction that advances the partition's offset.
-- Infrastructure of the consumer like projection_position: a record that does not parse has no tenant.
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
