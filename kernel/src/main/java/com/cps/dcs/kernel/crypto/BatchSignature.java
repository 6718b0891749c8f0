package com.cps.dcs.kernel.crypto;

import com.cps.dcs.kernel.hash.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One ECDSA signature for a group of messages, each of which still carries a signature of its own that verifies
 * alone: the messages are the leaves of a Merkle tree (RFC 9162's tree: leaf {@code SHA-256(0x00 || message)},
 * node {@code SHA-256(0x01 || left || right)}, split at the largest power of two), the agent signs the root once,
 * and each message's signature is that root signature with the message's inclusion path. A group of one is signed
 * directly, as {@link Ecdsa#sign} does (a DER signature).
 *
 * <p>Encoding of a group signature: {@code 0x01} (DER signatures start with {@code 0x30}), leaf index (4 bytes), tree
 * size (4 bytes), path length (1 byte), the path's hashes (32 bytes each, leaf to root), then the DER ECDSA
 * signature of {@code "cps-dcs batch signature v1" || size (4 bytes) || root}. Verifying recomputes the root from the
 * message and its path and checks the ECDSA signature of that root; a root already verified for the same key,
 * size and signature bytes is not checked again (a batch of a group's events costs one ECDSA verification). Only
 * successful checks are remembered, so a forged message must hash to a root that was signed: a SHA-256 second
 * preimage.
 */
public final class BatchSignature {
  static final byte FORMAT = 0x01;
  private static final byte[] DOMAIN = "cps-dcs batch signature v1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_REMEMBERED = 16_384;
  private static final Map<Remembered, Boolean> VERIFIED_ROOTS = new ConcurrentHashMap<>();

  private BatchSignature() {}

  private record Remembered(PublicKey key, ByteBuffer signedRoot, ByteBuffer signature) {}

  /** One signature per message, in order; one ECDSA signing operation for the whole list. */
  public static List<byte[]> signAll(PrivateKey key, List<byte[]> messages) {
    int n = messages.size();
    if (n == 0) {
      return List.of();
    }
    if (n == 1) {
      return List.of(Ecdsa.sign(key, messages.get(0)));
    }
    MessageDigest md = sha256();
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      leaves[i] = leaf(md, messages.get(i));
    }
    List<List<byte[]>> paths = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      paths.add(new ArrayList<>());
    }
    byte[] root = build(md, leaves, 0, n, paths);
    byte[] rootSignature = Ecdsa.sign(key, signedRoot(n, root));
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<byte[]> path = paths.get(i);
      ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 + 1 + 32 * path.size() + rootSignature.length);
      b.put(FORMAT).putInt(i).putInt(n).put((byte) path.size());
      path.forEach(b::put);
      b.put(rootSignature);
      out.add(b.array());
    }
    return out;
  }

  /** True when {@code signature} (a group signature or a plain DER one) is {@code key}'s over {@code message}. */
  public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (signature.length == 0 || signature[0] != FORMAT) {
      return Ecdsa.verify(key, message, signature);
    }
    if (signature.length < 10) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(signature);
    b.get();
    long index = Integer.toUnsignedLong(b.getInt());
    long size = Integer.toUnsignedLong(b.getInt());
    int pathLength = Byte.toUnsignedInt(b.get());
    if (size < 2 || index >= size || b.remaining() <= 32L * pathLength) {
      return false;
    }
    MessageDigest md = sha256();
    byte[] r = leaf(md, message);
    long fn = index;
    long sn = size - 1;
    byte[] p = new byte[32];
    for (int k = 0; k < pathLength; k++) {
      b.get(p);
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(md, p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = node(md, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      return false; // the path does not reach the root of a tree of this size
    }
    byte[] rootSignature = Arrays.copyOfRange(signature, b.position(), signature.length);
    byte[] signedRoot = signedRoot((int) size, r);
    Remembered seen = new Remembered(key, ByteBuffer.wrap(signedRoot), ByteBuffer.wrap(rootSignature));
    if (VERIFIED_ROOTS.containsKey(seen)) {
      return true;
    }
    if (!Ecdsa.verify(key, signedRoot, rootSignature)) {
      return false;
    }
    if (VERIFIED_ROOTS.size() >= MAX_REMEMBERED) {
      VERIFIED_ROOTS.clear(); // a bound, not a policy: the next verification of an old root just costs an ECDSA check
    }
    VERIFIED_ROOTS.put(seen, Boolean.TRUE);
    return true;
  }

  /** The Merkle tree hash of leaves [lo, hi); adds each leaf's sibling hashes to its path, leaf to root. */
  private static byte[] build(MessageDigest md, byte[][] leaves, int lo, int hi, List<List<byte[]>> paths) {
    if (hi - lo == 1) {
      return leaves[lo];
    }
    int k = Integer.highestOneBit(hi - lo - 1); // the largest power of two below the width
    byte[] left = build(md, leaves, lo, lo + k, paths);
    byte[] right = build(md, leaves, lo + k, hi, paths);
    for (int i = lo; i < lo + k; i++) {
      paths.get(i).add(right);
    }
    for (int i = lo + k; i < hi; i++) {
      paths.get(i).add(left);
    }
    return node(md, left, right);
  }

  private static byte[] signedRoot(int size, byte[] root) {
    return ByteBuffer.allocate(DOMAIN.length + 4 + root.length).put(DOMAIN).putInt(size).put(root).array();
  }

  private static byte[] leaf(MessageDigest md, byte[] message) {
    md.update((byte) 0);
    md.update(message);
    return md.digest();
  }

  private static byte[] node(MessageDigest md, byte[] left, byte[] right) {
    md.update((byte) 1);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** The thread's SHA-256 ({@link Sha256#threadDigest}): held only across this class's own leaf and node hashes. */
  private static MessageDigest sha256() {
    return Sha256.threadDigest();
  }
}
