package com.cps.dcs.localagent.till;

import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.pos.v1.StaffMember;
import com.google.protobuf.ByteString;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** Staff with PINs stored salted and stretched (PBKDF2-HMAC-SHA256), never in clear. */
public final class Staff {
  static final String COLLECTION = "staff";
  private static final int ITERATIONS = 60_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Staff() {}

  public static StaffMember create(String cashierId, String name, Role role, String pin) {
    if (!pin.matches("[0-9]{4,8}")) {
      throw new IllegalArgumentException("a PIN is 4 to 8 digits");
    }
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return StaffMember.newBuilder().setCashierId(cashierId).setDisplayName(name).setRole(role)
        .setPinSalt(ByteString.copyFrom(salt)).setPinIterations(ITERATIONS)
        .setPinHash(ByteString.copyFrom(hash(pin, salt, ITERATIONS))).build();
  }

  public static boolean pinMatches(StaffMember m, String pin) {
    byte[] candidate = hash(pin, m.getPinSalt().toByteArray(), m.getPinIterations());
    return MessageDigest.isEqual(candidate, m.getPinHash().toByteArray());
  }

  /** Costs what a PIN check costs, for an unknown staff id: timing must not tell which ids exist. */
  static void spendAsMuchAsAPinCheck(String pin) {
    hash(pin, new byte[16], ITERATIONS);
  }

  private static byte[] hash(String pin, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(pin.toCharArray(), salt, iterations, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2 unavailable", e);
    }
  }
}
