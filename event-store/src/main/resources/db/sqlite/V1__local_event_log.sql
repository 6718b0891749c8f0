-- The branch's event log and state, in one SQLite file (WAL, synchronous=FULL).

-- Every event this agent created (own = 1, hash-chained in seq order) or accepted from a verified peer (own = 0).
CREATE TABLE events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT    NOT NULL UNIQUE,
  stream_id       TEXT    NOT NULL,
  stream_version  INTEGER NOT NULL,
  idempotency_key TEXT    NOT NULL UNIQUE,
  content_hash    TEXT    NOT NULL,  -- business content, to tell a retry from a different request reusing a key
  type            INTEGER NOT NULL,
  branch_id       TEXT    NOT NULL,
  agent_id        TEXT    NOT NULL,
  own             INTEGER NOT NULL,
  ts_ms           INTEGER NOT NULL,
  amount_minor    INTEGER NOT NULL,
  currency        TEXT    NOT NULL,
  ack             BLOB    NOT NULL,  -- the first AckResponse, returned again to retries
  body            BLOB    NOT NULL,  -- the SovereignFinancialEvent
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_ts ON events (ts_ms, seq);
CREATE INDEX events_own ON events (own, seq);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;

-- Current version per stream (optimistic concurrency).
CREATE TABLE streams (
  stream_id TEXT PRIMARY KEY,
  version   INTEGER NOT NULL
);

-- CRDT state by id (stock:<product>, catalog:active, price:<product>, ...).
CREATE TABLE crdt_state (
  crdt_id    TEXT PRIMARY KEY,
  crdt_type  TEXT    NOT NULL,
  state      BLOB    NOT NULL,
  updated_at BLOB    NOT NULL,  -- HybridLogicalClock
  version    INTEGER NOT NULL
);

-- Domain documents (sagas, tills, sessions, products, receipts) by collection and id.
CREATE TABLE documents (
  collection TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  body       BLOB    NOT NULL,
  PRIMARY KEY (collection, id)
);

-- Small named values: the HLC high-water mark, the chain head, the sync high-water mark.
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);

-- Peers known through AgentCommunication registrations, with their public keys.
CREATE TABLE peers (
  agent_id     TEXT PRIMARY KEY,
  public_key   BLOB NOT NULL,
  registration BLOB NOT NULL,
  last_seen_ms INTEGER NOT NULL
);
