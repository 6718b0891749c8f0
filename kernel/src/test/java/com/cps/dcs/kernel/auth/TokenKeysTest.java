package com.cps.dcs.kernel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenKeysTest {
  @TempDir
  Path dir;

  @Test
  void theKeyIsCreatedOnFirstUseOwnerOnlyAndReadAfterwards() throws Exception {
    TokenKeys first = TokenKeys.loadOrCreate(dir.resolve("keys"), "tenant-a");
    TokenKeys again = TokenKeys.loadOrCreate(dir.resolve("keys"), "tenant-a");
    assertThat(again.keyId()).isEqualTo(first.keyId());
    assertThat(again.publicKey().getEncoded()).isEqualTo(first.publicKey().getEncoded());
    Path pair = dir.resolve("keys/token-tenant-a.key");
    assertThat(Files.getPosixFilePermissions(pair))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readAllBytes(dir.resolve("keys/token-tenant-a.pub")))
        .isEqualTo(first.publicKey().getEncoded());
    assertThat(TokenKeys.loadOrCreate(dir.resolve("keys"), "tenant-b").keyId()).isNotEqualTo(first.keyId());
    try (var files = Files.list(dir.resolve("keys"))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void servicesStartingAtOnceAllGetTheSameKey() throws Exception {
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<byte[]>> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(pool.submit(() -> {
          go.await();
          return TokenKeys.loadOrCreate(dir, "tenant-race").keyId();
        }));
      }
      go.countDown();
      Set<String> distinct = new HashSet<>();
      for (Future<byte[]> f : ids) {
        distinct.add(java.util.HexFormat.of().formatHex(f.get()));
      }
      assertThat(distinct).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBranchWithThePublicFileAloneVerifiesButCannotMint() throws Exception {
    TokenKeys pair = TokenKeys.loadOrCreate(dir.resolve("region"), "tenant-a");
    Path branchDir = Files.createDirectories(dir.resolve("branch"));
    Files.copy(dir.resolve("region/token-tenant-a.pub"), branchDir.resolve("token-tenant-a.pub"));
    TokenKeys branch = TokenKeys.loadForVerification(branchDir, "tenant-a");
    assertThat(branch.canSign()).isFalse();
    assertThat(Files.exists(branchDir.resolve("token-tenant-a.key"))).isFalse();
    assertThatThrownBy(() -> new TokenIssuer("tenant-a", branch)).hasMessageContaining("key pair");

    Instant t = Instant.parse("2026-03-01T00:00:00Z");
    String token = new TokenIssuer("tenant-a", pair).issue(TokensTest.manager("tenant-a", t, java.time.Duration.ofHours(1)));
    InstantSource clock = () -> t;
    TokenVerifier offline = new TokenVerifier("tenant-a", branch, new InMemoryRevocationSet(clock), clock);
    assertThat(offline.verify(token).subject()).isEqualTo("staff-7");
  }

  @Test
  void aStalePublicFileIsAClearErrorNotASilentMismatch() throws Exception {
    TokenKeys.loadOrCreate(dir, "tenant-a");
    Files.write(dir.resolve("token-tenant-a.pub"), TokenKeys.generateEphemeral().publicKey().getEncoded());
    assertThatThrownBy(() -> TokenKeys.loadOrCreate(dir, "tenant-a")).hasMessageContaining("not the public key");
  }

  @Test
  void aDamagedKeyFileIsRefused() throws Exception {
    Files.write(dir.resolve("token-tenant-a.key"), new byte[] {0, 3, 1, 2, 3});
    assertThatThrownBy(() -> TokenKeys.loadOrCreate(dir, "tenant-a")).hasMessageContaining("not a token key file");
  }

  @Test
  void tenantIdsThatAreNotFileNamesAreRefused() {
    assertThatThrownBy(() -> TokenKeys.loadOrCreate(dir, "../etc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenKeys.loadOrCreate(dir, "")).isInstanceOf(IllegalArgumentException.class);
  }
}
