package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileKekProviderTest {
  @TempDir Path dir;

  @Test
  void theKeyFileIsCreatedOnFirstUseReadableByTheOwnerOnlyAndReusedAfterwards() throws Exception {
    Path file = dir.resolve("keys/kek-t1.key");
    LocalFileKekProvider first = new LocalFileKekProvider(file, "local:t1");
    byte[] wrapped = first.wrap(new byte[32]);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    LocalFileKekProvider afterRestart = new LocalFileKekProvider(file, "local:t1");
    assertThat(afterRestart.unwrap(wrapped, "local:t1")).isEqualTo(new byte[32]);
  }

  @Test
  void anotherKeyOrKeyIdCannotUnwrap() {
    LocalFileKekProvider a = new LocalFileKekProvider(dir.resolve("a.key"), "local:a");
    LocalFileKekProvider b = new LocalFileKekProvider(dir.resolve("b.key"), "local:a");
    byte[] wrapped = a.wrap(new byte[32]);
    assertThatThrownBy(() -> b.unwrap(wrapped, "local:a")).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> a.unwrap(wrapped, "local:b")).hasMessageContaining("local:b");
  }

  @Test
  void aTruncatedKeyFileIsRefused() throws Exception {
    Path file = dir.resolve("short.key");
    Files.write(file, new byte[5]);
    assertThatThrownBy(() -> new LocalFileKekProvider(file, "x")).hasMessageContaining("short.key");
  }

  @Test
  void signaturesInteroperateWithTheJdkProvider() throws Exception {
    AgentKeys k = AgentKeys.generateEphemeral();
    byte[] data = "event".getBytes();
    java.security.Signature jdk = java.security.Signature.getInstance("SHA256withECDSA", "SunEC");
    jdk.initSign(k.privateKey());
    jdk.update(data);
    assertThat(Ecdsa.verify(k.publicKey(), data, jdk.sign())).isTrue();
    java.security.Signature check = java.security.Signature.getInstance("SHA256withECDSA", "SunEC");
    check.initVerify(k.publicKey());
    check.update(data);
    assertThat(check.verify(Ecdsa.sign(k.privateKey(), data))).isTrue();
  }

  @Test
  void agentKeysPersistAndSign() {
    AgentKeys k1 = AgentKeys.loadOrCreate(dir, "agent-1");
    AgentKeys k2 = AgentKeys.loadOrCreate(dir, "agent-1");
    assertThat(k2.publicKeyBytes()).isEqualTo(k1.publicKeyBytes());
    byte[] sig = Ecdsa.sign(k1.privateKey(), "data".getBytes());
    assertThat(Ecdsa.verify(AgentKeys.publicKeyFromX509(k2.publicKeyBytes()), "data".getBytes(), sig)).isTrue();
    assertThat(Ecdsa.verify(k1.publicKey(), "date".getBytes(), sig)).isFalse();
    assertThat(Ecdsa.verify(k1.publicKey(), "data".getBytes(), new byte[] {1, 2, 3})).isFalse();
  }
}
