# Vault as a server with file storage, for production (the compose file runs Vault in dev mode by default).
# To use it: set the vault service's command to ["server", "-config=/vault/config/vault.hcl"], remove
# VAULT_DEV_ROOT_TOKEN_ID / VAULT_DEV_LISTEN_ADDRESS, then once: `vault operator init` and `vault operator unseal`
# (keep the unseal keys and root token outside this machine), and after every restart `vault operator unseal`.
# Put TLS in front of it (or configure tls_cert_file / tls_key_file) before it leaves one host.
storage "file" {
  path = "/vault/file"
}

listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = "true"
}

api_addr     = "http://vault:8200"
ui           = true
disable_mlock = false
