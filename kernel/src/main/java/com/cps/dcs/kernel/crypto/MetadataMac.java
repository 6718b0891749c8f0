package com.cps.dcs.kernel.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA512 over an event's visible metadata, with the tenant's 64-byte MAC key. */
public final class MetadataMac {
  private final SecretKeySpec key;
  // An initialized Mac per thread: getInstance + init cost more than the MAC of a small event.
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  public MetadataMac(byte[] key64) {
    if (key64.length != 64) {
      throw new IllegalArgumentException("the metadata MAC key is 64 bytes, got " + key64.length);
    }
    this.key = new SecretKeySpec(key64.clone(), "HmacSHA512");
  }

  /** The HMAC-SHA512 of {@code data}, in lowercase hex. */
  public String sign(byte[] data) {
    return HexFormat.of().formatHex(raw(data));
  }

  /** Constant-time check of {@code hex} against the HMAC of {@code data}. */
  public boolean verify(byte[] data, String hex) {
    byte[] given;
    try {
      given = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(raw(data), given);
  }

  private byte[] raw(byte[] data) {
    return macs.get().doFinal(data); // doFinal resets the Mac for the next call
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA512 unavailable", e);
    }
  }
}
