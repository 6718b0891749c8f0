-- The branch's sagas (STANDARD_SALE, REFUND_PROCESSING): the saga engine's memory (kernel SagaStore port), written
-- before every side effect a step makes. A saga's row and its steps' rows change together in one transaction;
-- version fences concurrent writers (an update names the version it read).
CREATE TABLE saga_instances (
  saga_id     TEXT    PRIMARY KEY,
  saga_type   TEXT    NOT NULL,  -- SagaType name
  state       TEXT    NOT NULL,  -- SagaState name
  finished    INTEGER NOT NULL,  -- 0 while a restart must resume it
  context     BLOB    NOT NULL,  -- what the steps read and add, as the saga's codec encodes it
  created_ns  INTEGER NOT NULL,  -- epoch nanoseconds
  updated_ns  INTEGER NOT NULL,
  deadline_ns INTEGER NOT NULL,
  failure     TEXT    NOT NULL,
  expired     INTEGER NOT NULL,
  version     INTEGER NOT NULL
);
CREATE INDEX saga_instances_unfinished ON saga_instances (finished, created_ns, saga_id);

CREATE TABLE saga_steps (
  saga_id    TEXT    NOT NULL REFERENCES saga_instances (saga_id),
  step_no    INTEGER NOT NULL,  -- position in the declaration, from 0
  step_name  TEXT    NOT NULL,
  state      TEXT    NOT NULL,  -- SagaStepState name
  attempts   INTEGER NOT NULL,
  last_error TEXT    NOT NULL,
  PRIMARY KEY (saga_id, step_no)
);
