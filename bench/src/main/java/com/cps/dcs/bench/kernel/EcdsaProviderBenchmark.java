package com.cps.dcs.bench.kernel;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** ECDSA P-256 sign and verify: the JDK's own provider (SunEC), Bouncy Castle and Conscrypt (BoringSSL), on this JDK. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EcdsaProviderBenchmark {
  @Param({"SunEC", "BC", "Conscrypt"})
  public String provider;

  private Provider p;
  private KeyPair pair;
  private byte[] data;
  private byte[] signature;

  @Setup
  public void setup() throws Exception {
    p = switch (provider) {
      case "BC" -> new BouncyCastleProvider();
      case "Conscrypt" -> org.conscrypt.Conscrypt.newProvider();
      default -> java.security.Security.getProvider("SunEC");
    };
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
    g.initialize(new ECGenParameterSpec("secp256r1"));
    pair = g.generateKeyPair();
    data = new byte[600]; // about the size of a sealed event's canonical bytes
    signature = sign();
  }

  @Benchmark
  public byte[] sign() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA", p);
    s.initSign(pair.getPrivate());
    s.update(data);
    return s.sign();
  }

  @Benchmark
  public boolean verify() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA", p);
    s.initVerify(pair.getPublic());
    s.update(data);
    return s.verify(signature);
  }
}
