package com.cps.dcs.service.auth;

/** Whether an RPC only reads or also writes; a read-only token ({@code TokenScope.write()} false) may only read. */
public enum Access {
  READ,
  WRITE
}
