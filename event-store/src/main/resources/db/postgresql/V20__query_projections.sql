-- Query-service read models (V20..V29 belong to query-service). Every row carries tenant_id and branch_id;
-- row-level security is enabled and forced so the non-owner role dcs_app sees only current_setting('app.tenant_id').
-- The regional agent's migrations create dcs_app too; this guard lets V20 run on a database without them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dcs_app') THEN
    CREATE ROLE dcs_app NOLOGIN;
  END IF;
END
$$;

-- The query service reads with SET LOCAL ROLE dcs_app over the owner's connection, so the owner must be a member.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'dcs_app', 'MEMBER') THEN
    EXECUTE format('GRANT dcs_app TO %I', current_user);
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'cannot grant dcs_app to %; grant it so the query service can read under RLS', current_user;
END
$$;

CREATE TABLE qs_branch (
  tenant_id        text   NOT NULL,
  branch_id        text   NOT NULL,
  currency         text   NOT NULL DEFAULT '',
  last_hlc_ms      bigint NOT NULL DEFAULT 0,
  last_hlc_logical int    NOT NULL DEFAULT 0,
  last_hlc_node    text   NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, branch_id)
);

CREATE TABLE qs_sales_daily (
  tenant_id   text   NOT NULL,
  branch_id   text   NOT NULL,
  day         date   NOT NULL,
  currency    text   NOT NULL,
  total_minor bigint NOT NULL DEFAULT 0,
  tx_count    bigint NOT NULL DEFAULT 0,
  items       bigint NOT NULL DEFAULT 0,
  tax_minor   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, branch_id, day, currency)
);

CREATE TABLE qs_sales_daily_category (
  tenant_id   text   NOT NULL,
  branch_id   text   NOT NULL,
  day         date   NOT NULL,
  category    text   NOT NULL,
  currency    text   NOT NULL,
  total_minor bigint NOT NULL DEFAULT 0,
  items       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, branch_id, day, category, currency)
);

CREATE TABLE qs_sales_daily_payment (
  tenant_id      text   NOT NULL,
  branch_id      text   NOT NULL,
  day            date   NOT NULL,
  payment_method text   NOT NULL,
  currency       text   NOT NULL,
  total_minor    bigint NOT NULL DEFAULT 0,
  tx_count       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, branch_id, day, payment_method, currency)
);

CREATE TABLE qs_sales_hourly (
  tenant_id   text        NOT NULL,
  branch_id   text        NOT NULL,
  hour        timestamptz NOT NULL,
  currency    text        NOT NULL,
  total_minor bigint      NOT NULL DEFAULT 0,
  tx_count    bigint      NOT NULL DEFAULT 0,
  items       bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, branch_id, hour, currency)
);

CREATE TABLE qs_sales_hourly_category (
  tenant_id   text        NOT NULL,
  branch_id   text        NOT NULL,
  hour        timestamptz NOT NULL,
  category    text        NOT NULL,
  currency    text        NOT NULL,
  total_minor bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, branch_id, hour, category, currency)
);

CREATE TABLE qs_sessions (
  tenant_id  text NOT NULL,
  branch_id  text NOT NULL,
  day        date NOT NULL,
  session_id text NOT NULL,
  PRIMARY KEY (tenant_id, branch_id, day, session_id)
);

CREATE TABLE qs_inventory (
  tenant_id         text   NOT NULL,
  branch_id         text   NOT NULL,
  product_id        text   NOT NULL,
  current_qty       bigint NOT NULL DEFAULT 0,
  reserved_qty      bigint NOT NULL DEFAULT 0,
  reorder_point     bigint NOT NULL DEFAULT 0,
  -- reorder_point is last-writer-wins by HLC, so any replay order gives the same value
  reorder_hlc_ms    bigint NOT NULL DEFAULT 0,
  reorder_hlc_logical int  NOT NULL DEFAULT 0,
  last_hlc_ms       bigint NOT NULL DEFAULT 0,
  last_hlc_logical  int    NOT NULL DEFAULT 0,
  last_hlc_node     text   NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, branch_id, product_id)
);

CREATE TABLE qs_loyalty (
  tenant_id            text   NOT NULL,
  branch_id            text   NOT NULL,
  customer_ref         text   NOT NULL,
  points               bigint NOT NULL DEFAULT 0,
  lifetime_points      bigint NOT NULL DEFAULT 0,
  lifetime_value_minor bigint NOT NULL DEFAULT 0,
  tier text GENERATED ALWAYS AS (CASE WHEN lifetime_points >= 5000 THEN 'GOLD'
                                      WHEN lifetime_points >= 1000 THEN 'SILVER'
                                      ELSE 'BRONZE' END) STORED,
  PRIMARY KEY (tenant_id, branch_id, customer_ref)
);

CREATE TABLE qs_ledger_daily (
  tenant_id    text   NOT NULL,
  branch_id    text   NOT NULL,
  account_code text   NOT NULL,
  posting_date date   NOT NULL,
  currency     text   NOT NULL,
  account_name text   NOT NULL DEFAULT '',
  debit_minor  bigint NOT NULL DEFAULT 0,
  credit_minor bigint NOT NULL DEFAULT 0,
  last_hlc_ms      bigint NOT NULL DEFAULT 0,
  last_hlc_logical int    NOT NULL DEFAULT 0,
  last_hlc_node    text   NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, branch_id, account_code, posting_date, currency)
);

CREATE TABLE qs_alerts (
  event_id   text        NOT NULL PRIMARY KEY,
  tenant_id  text        NOT NULL,
  branch_id  text        NOT NULL,
  level      int         NOT NULL,
  kind       text        NOT NULL,
  source     text        NOT NULL,
  message    text        NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX qs_alerts_branch ON qs_alerts (tenant_id, branch_id, created_at);

-- Dedupe: one row per applied event, written in the same transaction as the row changes.
CREATE TABLE projection_applied_events (
  event_id  text NOT NULL PRIMARY KEY,
  tenant_id text NOT NULL,
  branch_id text NOT NULL
);

-- Next offset to read per topic partition, written in the same transaction as the rows (infrastructure, no tenant).
CREATE TABLE projection_position (
  topic       text   NOT NULL,
  "partition" int    NOT NULL,
  "offset"    bigint NOT NULL,
  event_ts_ms bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, "partition")
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['qs_branch','qs_sales_daily','qs_sales_daily_category','qs_sales_daily_payment',
      'qs_sales_hourly','qs_sales_hourly_category','qs_sessions','qs_inventory','qs_loyalty','qs_ledger_daily',
      'qs_alerts','projection_applied_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = current_setting(''app.tenant_id'', true)) '
        || 'WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t || '_tenant', t);
    EXECUTE format('GRANT SELECT ON %I TO dcs_app', t);
  END LOOP;
END
$$;
