package com.cps.dcs.kernel.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a caller may do, as a token names it. Roles do not imply one another: a manager token that should also work
 * the till names both roles.
 */
public enum Role {
  /** POS commands at the cashier's branch (PosService checks them from its session token). */
  CASHIER(0),
  /** A cashier's work plus approvals, refunds, stock, prices and the queries of the manager's branches. */
  MANAGER(1),
  /** Everything of the tenant, on every service. */
  ADMIN(2),
  /** A program of an integrator: what its token's scope allows (event types, branches, read or write). */
  INTEGRATOR(3),
  /** Service to service: the sync RPCs between branches, regions and the master. */
  AGENT(4);

  private final int bit;

  Role(int bit) {
    this.bit = bit;
  }

  /** The role's name in tokens, tables and error details: {@code cashier}, {@code manager}... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code name} ({@link #wireName()}, any case). */
  public static Optional<Role> parse(String name) {
    for (Role r : values()) {
      if (r.wireName().equalsIgnoreCase(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The one byte a token carries for a set of roles. */
  static int bits(Set<Role> roles) {
    int b = 0;
    for (Role r : roles) {
      b |= 1 << r.bit;
    }
    return b;
  }

  /** The roles of {@link #bits}, or empty when a bit names no role. */
  static Optional<Set<Role>> fromBits(int bits) {
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    int rest = bits;
    for (Role r : values()) {
      if ((rest & (1 << r.bit)) != 0) {
        roles.add(r);
        rest &= ~(1 << r.bit);
      }
    }
    return rest == 0 ? Optional.of(roles) : Optional.empty();
  }
}
