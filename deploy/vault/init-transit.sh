#!/bin/sh
# One-shot (vault-init service): enables Vault's Transit engine and creates the tenant's KEK when missing.
# Services use it only when VAULT_ADDR is set (see deploy/README.md, "Vault").
set -eu
key="${DCS_TRANSIT_KEY:?DCS_TRANSIT_KEY is required}"
if ! vault secrets list -format=json | grep -q '"transit/"'; then
  vault secrets enable transit
fi
if vault read "transit/keys/$key" >/dev/null 2>&1; then
  echo "vault-init: transit key $key exists"
else
  vault write -f "transit/keys/$key" type=aes256-gcm96
  echo "vault-init: created transit key $key"
fi
