package com.cps.dcs.bench.kernel;

import java.security.MessageDigest;
import java.security.Provider;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SHA-256 and AES-256-GCM of an event-sized message (400 bytes), the JDK's providers against Conscrypt's, each with
 * one reused object as the kernel keeps them. Run it twice: as is (C2) and with {@code -jvmArgsAppend
 * -XX:TieredStopAtLevel=1} (C1 only, as {@code ./dcs run} starts the services): {@code NativeCrypto} chooses from
 * these figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SymmetricProviderBenchmark {
  @Param({"JDK", "Conscrypt"})
  public String provider;

  private MessageDigest digest;
  private Cipher cipher;
  private final byte[] data = new byte[400];
  private final byte[] key = new byte[32];
  private final byte[] iv = new byte[12];
  private long counter;

  @Setup
  public void setup() throws Exception {
    Provider p = provider.equals("Conscrypt") ? org.conscrypt.Conscrypt.newProvider() : null;
    digest = p == null ? MessageDigest.getInstance("SHA-256") : MessageDigest.getInstance("SHA-256", p);
    cipher = p == null ? Cipher.getInstance("AES/GCM/NoPadding") : Cipher.getInstance("AES/GCM/NoPadding", p);
    new java.util.Random(1).nextBytes(data);
  }

  @Benchmark
  public byte[] sha256() {
    digest.reset();
    digest.update(data);
    return digest.digest();
  }

  /** A fresh key and IV each time, as each event's data key is. */
  @Benchmark
  public byte[] aesGcmSeal() throws Exception {
    long c = ++counter;
    for (int i = 0; i < 8; i++) {
      iv[i] = (byte) (c >>> (8 * i));
      key[i] = (byte) (c >>> (8 * i));
    }
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(iv);
    return cipher.doFinal(data);
  }
}
