package com.cps.dcs.kernel.id;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids sort by creation time; within one
 * millisecond of one generator a 12-bit sequence keeps them strictly increasing.
 */
public final class UuidV7 {
  private static final UuidV7 DEFAULT = new UuidV7(InstantSource.system(), new SecureRandom());

  private final InstantSource source;
  private final RandomGenerator random;
  private long lastMs = -1;
  private int sequence;

  private UuidV7(InstantSource source, RandomGenerator random) {
    this.source = source;
    this.random = random;
  }

  /** A new time-ordered id from the system clock. */
  public static UUID next() {
    return DEFAULT.generate();
  }

  /** A generator with an injected clock and randomness (tests, replay). */
  public static UuidV7 generator(InstantSource source, RandomGenerator random) {
    return new UuidV7(source, random);
  }

  /** One id from a fresh generator over {@code source} and {@code random}. */
  public static UUID next(InstantSource source, RandomGenerator random) {
    return new UuidV7(source, random).generate();
  }

  /** The next id of this generator: strictly greater than the previous one. */
  public synchronized UUID generate() {
    long ms = source.millis();
    if (ms <= lastMs) {
      ms = lastMs;
      sequence++;
      if (sequence > 0xFFF) {
        ms = lastMs + 1; // sequence exhausted within one millisecond: borrow the next one
        sequence = random.nextInt(0x400);
      }
    } else {
      sequence = random.nextInt(0x400); // leave room to count up within the millisecond
    }
    lastMs = ms;
    long msb = (ms & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (sequence & 0xFFF);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /** The Unix milliseconds embedded in a version 7 id. */
  public static long timestampMillis(UUID id) {
    if (id.version() != 7) {
      throw new IllegalArgumentException("not a UUID v7: " + id);
    }
    return id.getMostSignificantBits() >>> 16;
  }

  /** True when {@code text} is a canonical UUID of version 7 and the RFC variant. */
  public static boolean isV7(String text) {
    if (text == null || text.length() != 36) {
      return false;
    }
    try {
      UUID id = UUID.fromString(text);
      return id.version() == 7 && id.variant() == 2 && id.toString().equalsIgnoreCase(text);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
