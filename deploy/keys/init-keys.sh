#!/bin/sh
# One-shot (keys-init service): creates the tenant's KEK (32 random bytes) and metadata MAC key (64 random bytes)
# in the shared key volume, in the layout the services read (kernel LocalKeyFiles: kek-<tenant>.key,
# mac-<tenant>.key), owned by the services' user (uid 10001) and readable by it only. A file that exists is never
# replaced: a new KEK would make every sealed payload unreadable, a new MAC key every stored event unverifiable.
set -eu
dir="${DCS_KEY_DIR:-/var/lib/dcs-keys}"
tenant="${DCS_TENANT_ID:?DCS_TENANT_ID is required}"
umask 077
mkdir -p "$dir"
make_key() { # file bytes
  if [ -s "$dir/$1" ]; then
    echo "keys-init: $1 exists, kept"
  else
    head -c "$2" /dev/urandom > "$dir/.$1.tmp"
    mv "$dir/.$1.tmp" "$dir/$1"
    echo "keys-init: created $1"
  fi
  chown 10001:10001 "$dir/$1"
  chmod 600 "$dir/$1"
}
make_key "kek-$tenant.key" 32
make_key "mac-$tenant.key" 64
chown 10001:10001 "$dir"
chmod 700 "$dir"
