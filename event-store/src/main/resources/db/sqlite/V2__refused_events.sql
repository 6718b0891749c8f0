-- Own events the region quarantined (it can never store them): kept in the log (append-only, hash-chained), marked
-- here, left out of the branch's figures and never sent again.
CREATE TABLE refused_events (
  seq           INTEGER PRIMARY KEY,  -- events.seq
  event_id      TEXT    NOT NULL,
  reason        TEXT    NOT NULL,
  refused_at_ms INTEGER NOT NULL
);
