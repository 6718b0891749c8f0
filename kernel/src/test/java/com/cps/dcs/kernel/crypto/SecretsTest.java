package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void creatorsRacingForOneKeyFileAllEndWithTheKeyOnDisk() throws Exception {
    for (int round = 0; round < 20; round++) {
      Path file = Files.createTempDirectory("secrets").resolve("keys").resolve("mac-t.key");
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<byte[]>> keys = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        keys.add(pool.submit(() -> {
          start.await();
          return Secrets.loadOrCreate(file, 32);
        }));
      }
      start.countDown();
      byte[] onDisk = null;
      for (Future<byte[]> k : keys) {
        byte[] key = k.get();
        onDisk = onDisk == null ? Files.readAllBytes(file) : onDisk;
        assertThat(key).isEqualTo(onDisk);
      }
      pool.shutdown();
      try (var left = Files.list(file.getParent())) {
        assertThat(left).containsExactly(file); // no temporary file left behind
      }
    }
  }

  @Test
  void anExistingKeyIsNeverReplaced() throws Exception {
    Path file = Files.createTempDirectory("secrets").resolve("kek-t.key");
    byte[] first = Secrets.loadOrCreate(file, 32);
    Secrets.writeOwnerOnly(file, new byte[32]);
    assertThat(Secrets.loadOrCreate(file, 32)).isEqualTo(first);
  }
}
