package com.cps.dcs.kernel.auth;

import com.cps.dcs.proto.v4.EventType;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The canonical bytes of a token's claims, the part its signature covers. Big-endian, every field in a fixed order:
 *
 * <pre>
 * u8  version (1)
 * 8   key id: the first 8 bytes of SHA-256 over the signing key's X.509 public key
 * str tenant, str subject, str token id          (str: u16 length, then UTF-8)
 * i64 issued at, i64 expires at                  (Unix seconds)
 * u8  roles                                      (one bit per {@link Role})
 * u8  flags                                      (1: every branch, 2: every event type, 4: write)
 * u16 n, then n str                              branch ids, strictly increasing
 * u16 n, then n u16                              event type numbers, strictly increasing
 * </pre>
 *
 * Decoding is strict: an unknown version, bit or event type, a branch or type out of order, a malformed UTF-8
 * string or a byte left over is {@link TokenRejected.Reason#MALFORMED}. One set of claims has one encoding.
 */
public final class TokenCodec {
  /** The format version this codec writes and reads. */
  public static final int VERSION = 1;
  /** Bytes of the key id. */
  public static final int KEY_ID_BYTES = 8;
  private static final int FLAG_ALL_BRANCHES = 1;
  private static final int FLAG_ALL_EVENT_TYPES = 2;
  private static final int FLAG_WRITE = 4;
  private static final int KNOWN_FLAGS = FLAG_ALL_BRANCHES | FLAG_ALL_EVENT_TYPES | FLAG_WRITE;

  private TokenCodec() {}

  public static byte[] encode(TokenClaims c, byte[] keyId) {
    if (keyId.length != KEY_ID_BYTES) {
      throw new IllegalArgumentException("a key id is " + KEY_ID_BYTES + " bytes");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(VERSION);
    out.writeBytes(keyId);
    writeString(out, c.tenant());
    writeString(out, c.subject());
    writeString(out, c.tokenId());
    writeLong(out, c.issuedAt().getEpochSecond());
    writeLong(out, c.expiresAt().getEpochSecond());
    out.write(Role.bits(c.roles()));
    TokenScope s = c.scope();
    out.write((s.allBranches() ? FLAG_ALL_BRANCHES : 0) | (s.allEventTypes() ? FLAG_ALL_EVENT_TYPES : 0)
        | (s.write() ? FLAG_WRITE : 0));
    writeShort(out, s.branches().size());
    s.branches().forEach(b -> writeString(out, b)); // a sorted set: strictly increasing
    writeShort(out, s.eventTypes().size());
    s.eventTypes().stream().mapToInt(EventType::getNumber).sorted().forEach(n -> writeShort(out, n));
    return out.toByteArray();
  }

  /** The key id of an encoded body, read before anything else is trusted (it picks the key that verifies). */
  public static byte[] keyId(byte[] body) {
    if (body.length < 1 + KEY_ID_BYTES || (body[0] & 0xFF) != VERSION) {
      throw new TokenRejected(TokenRejected.Reason.MALFORMED);
    }
    return Arrays.copyOfRange(body, 1, 1 + KEY_ID_BYTES);
  }

  public static TokenClaims decode(byte[] body) {
    keyId(body);
    ByteBuffer in = ByteBuffer.wrap(body);
    in.position(1 + KEY_ID_BYTES);
    try {
      String tenant = readString(in);
      String subject = readString(in);
      String tokenId = readString(in);
      Instant issuedAt = Instant.ofEpochSecond(in.getLong());
      Instant expiresAt = Instant.ofEpochSecond(in.getLong());
      Set<Role> roles = Role.fromBits(in.get() & 0xFF).orElseThrow(TokenCodec::malformed);
      int flags = in.get() & 0xFF;
      if ((flags & ~KNOWN_FLAGS) != 0) {
        throw malformed();
      }
      int branchCount = in.getShort() & 0xFFFF;
      List<String> branches = new ArrayList<>(Math.min(branchCount, TokenScope.MAX_BRANCHES));
      for (int i = 0; i < branchCount; i++) {
        String b = readString(in);
        if (i > 0 && branches.get(i - 1).compareTo(b) >= 0) {
          throw malformed();
        }
        branches.add(b);
      }
      int typeCount = in.getShort() & 0xFFFF;
      EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
      int previous = -1;
      for (int i = 0; i < typeCount; i++) {
        int n = in.getShort() & 0xFFFF;
        EventType t = EventType.forNumber(n);
        if (n <= previous || t == null || t == EventType.UNKNOWN) {
          throw malformed();
        }
        previous = n;
        types.add(t);
      }
      if (in.hasRemaining()) {
        throw malformed();
      }
      TokenScope scope = new TokenScope((flags & FLAG_ALL_BRANCHES) != 0, Set.copyOf(branches),
          (flags & FLAG_ALL_EVENT_TYPES) != 0, types, (flags & FLAG_WRITE) != 0);
      return new TokenClaims(tenant, subject, roles, scope, issuedAt, expiresAt, tokenId);
    } catch (BufferUnderflowException | IllegalArgumentException | java.time.DateTimeException e) {
      throw malformed(); // short, or claims outside their bounds (InputRefused is an IllegalArgumentException)
    }
  }

  private static TokenRejected malformed() {
    return new TokenRejected(TokenRejected.Reason.MALFORMED);
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeShort(out, b.length);
    out.writeBytes(b);
  }

  private static void writeShort(ByteArrayOutputStream out, int v) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException("does not fit 16 bits: " + v);
    }
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift));
    }
  }

  private static String readString(ByteBuffer in) {
    int length = in.getShort() & 0xFFFF;
    if (length > in.remaining()) {
      throw malformed();
    }
    ByteBuffer bytes = in.slice(in.position(), length);
    in.position(in.position() + length);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw malformed();
    }
  }
}
