#!/usr/bin/env bash
# Runs once, on the first start of the postgres container (empty data volume), as the superuser.
# Creates the owner role (runs the Flyway migrations, owns every table), the non-owner application role dcs_app
# (row-level security applies to it: no SUPERUSER, no BYPASSRLS) and the database, owned by the owner.
# The migrations (event-store/src/main/resources/db/postgresql) then create the tables, grants and RLS policies.
set -euo pipefail
: "${DCS_PG_DATABASE:?}" "${DCS_PG_OWNER_USER:?}" "${DCS_PG_OWNER_PASSWORD:?}" "${DCS_PG_APP_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner="$DCS_PG_OWNER_USER" -v owner_pw="$DCS_PG_OWNER_PASSWORD" \
  -v app_pw="$DCS_PG_APP_PASSWORD" -v db="$DCS_PG_DATABASE" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_pw' NOSUPERUSER NOCREATEROLE NOBYPASSRLS;
-- The migrations grant to and write policies for this exact name.
CREATE ROLE dcs_app LOGIN PASSWORD :'app_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
-- The query service reads with SET LOCAL ROLE dcs_app over the owner's connection, so the owner is a member.
GRANT dcs_app TO :"owner";
CREATE DATABASE :"db" OWNER :"owner";
SQL
echo "dcs: created roles ${DCS_PG_OWNER_USER} (owner) and dcs_app, database ${DCS_PG_DATABASE}"
