package com.cps.dcs.bench.localagent;

import com.cps.dcs.bench.BenchCredentials;
import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.cps.dcs.testsupport.FirstReply;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for a running local agent: durably acknowledged single events per second with p50/p99, batched
 * ingest through {@code StreamOfflineEvents}, and, beside them, the raw SQLite insert rate of the same rows with the
 * same durability (WAL, synchronous=FULL) on the same machine. Usage:
 * {@code java -cp bench/target/benchmarks.jar com.cps.dcs.bench.localagent.LocalAgentLoad host:port seconds clients}.
 */
public final class LocalAgentLoad {
  public static void main(String[] args) throws Exception {
    String target = args.length > 0 ? args[0] : "127.0.0.1:50051";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext()
        .intercept(BenchCredentials.bearer(BenchCredentials.fromEnvironment())).build();
    long agentPid = args.length > 3 ? Long.parseLong(args[3]) : -1;
    String run = UuidV7.next().toString().substring(24);

    // Warm up both paths (the JIT compiles on the same two cores), then single events from many concurrent clients.
    int warmUp = Math.max(5, seconds * 2 / 3);
    single(channel, run + "w", warmUp, clients);
    batched(channel, run + "w", warmUp, 500);
    System.out.println("warmed up; measuring single events");
    double cpu0 = cpuSeconds(agentPid);
    long[] single = single(channel, run, seconds, clients);
    double cpu1 = cpuSeconds(agentPid);
    System.out.printf("single events: %.0f acked/s, p50 %.2f ms, p99 %.2f ms (%d clients, %d s)%s%n",
        single[0] / (double) seconds, single[1] / 1e6, single[2] / 1e6, clients, seconds,
        cpuPerEvent(cpu0, cpu1, single[0]));

    long batched = batched(channel, run, seconds, 500);
    double cpu2 = cpuSeconds(agentPid);
    System.out.printf("StreamOfflineEvents batches of 500: %.0f acked events/s%s%n", batched / (double) seconds,
        cpuPerEvent(cpu1, cpu2, batched));
    // Several devices coming back online at once: concurrent offline streams (they share group commits).
    long parallelBatched = batchedConcurrently(channel, run + "p", seconds, 500, 4);
    double cpu3 = cpuSeconds(agentPid);
    System.out.printf("StreamOfflineEvents, 4 concurrent streams of 500-event batches: %.0f acked events/s%s%n",
        parallelBatched / (double) seconds, cpuPerEvent(cpu2, cpu3, parallelBatched));
    System.out.printf("load average: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    channel.shutdownNow();

    double[] raw = rawSqlite(seconds);
    System.out.printf("raw SQLite (WAL, synchronous=FULL), same sealed rows: %.0f single-row tx/s, %.0f rows/s in"
        + " 500-row tx%n", raw[0], raw[1]);
    System.out.printf("ratios: single %.2f of raw single-row, batched %.2f (4 streams: %.2f) of raw batched%n",
        single[0] / (double) seconds / raw[0], batched / (double) seconds / raw[1],
        parallelBatched / (double) seconds / raw[1]);
  }

  /** User + system CPU seconds the process has used so far (Linux /proc), or NaN when unknown. */
  static double cpuSeconds(long pid) {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ=100)
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  /** The agent's CPU per acknowledged event: what the other processes on the machine do not change much. */
  static String cpuPerEvent(double before, double after, long events) {
    if (Double.isNaN(before) || Double.isNaN(after) || events == 0) {
      return "";
    }
    return String.format(", agent CPU %.3f ms/event", (after - before) * 1000 / events);
  }

  static SovereignFinancialEvent sale(String key) {
    return SovereignFinancialEvent.newBuilder().setStreamId("bench-" + key).setType(EventType.SALE_COMPLETED)
        .setAmountMinor(1299).setAmount(12.99).setCurrency("EUR").setCreatedBy("bench").setIdempotencyKey(key)
        .setPayload(SovereignPayload.newBuilder().setEncryptedData(ByteString.copyFromUtf8("card=tok_" + key)))
        .build();
  }

  /** Returns {acked, p50 ns, p99 ns}. */
  static long[] single(ManagedChannel channel, String run, int seconds, int clients) throws Exception {
    var stub = AccountingSwarmProtocolGrpc.newBlockingStub(channel);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong next = new AtomicLong();
    List<long[]> perClient = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<CompletableFuture<long[]>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      futures.add(CompletableFuture.supplyAsync(() -> {
        long[] lat = new long[1 << 20];
        int n = 0;
        while (System.nanoTime() < end && n < lat.length) {
          long t0 = System.nanoTime();
          AckResponse ack = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
              .broadcastFinancialEvent(sale(run + "-" + next.incrementAndGet()));
          if (!ack.getSuccess()) {
            throw new IllegalStateException(ack.getMessage());
          }
          lat[n++] = System.nanoTime() - t0;
        }
        return Arrays.copyOf(lat, n);
      }, pool));
    }
    for (var f : futures) {
      perClient.add(f.get());
    }
    pool.shutdown();
    long[] all = perClient.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new long[] {all.length, all[all.length / 2], all[(int) (all.length * 0.99)]};
  }

  static long batched(ManagedChannel channel, String run, int seconds, int batch) throws Exception {
    var stub = AccountingSwarmProtocolGrpc.newStub(channel);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long acked = 0;
    int b = 0;
    while (System.nanoTime() < end) {
      CompletableFuture<BatchAckResponse> done = new CompletableFuture<>();
      StreamObserver<SovereignFinancialEvent> in = stub.streamOfflineEvents(FirstReply.into(done));
      for (int i = 0; i < batch; i++) {
        in.onNext(sale(run + "-b" + b + "-" + i));
      }
      in.onCompleted();
      BatchAckResponse r = done.get(120, TimeUnit.SECONDS);
      acked += r.getTotalProcessed() - r.getTotalFailed();
      b++;
    }
    return acked;
  }

  /** {@link #batched} from {@code streams} clients at once; returns the events acknowledged by all. */
  static long batchedConcurrently(ManagedChannel channel, String run, int seconds, int batch, int streams)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      List<java.util.concurrent.Future<Long>> futures = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        String prefix = run + s;
        futures.add(pool.submit(() -> batched(channel, prefix, seconds, batch)));
      }
      long total = 0;
      for (var f : futures) {
        total += f.get();
      }
      return total;
    } finally {
      pool.shutdown();
    }
  }

  /** Returns {single-row transactions/s, rows/s in 500-row transactions} for sealed rows like the agent's. */
  static double[] rawSqlite(int seconds) throws Exception {
    Path dir = Files.createTempDirectory("bench-sqlite");
    EventSealer sealer = new EventSealer(new LocalFileKekProvider(dir.resolve("kek.key"), "local:bench"),
        new MetadataMac(new byte[64]), AgentKeys.loadOrCreate(dir, "bench"));
    List<SovereignFinancialEvent> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(sealer.seal(sale("raw-" + i).toBuilder().setEventId(UuidV7.next().toString()).setStreamVersion(1)
          .build(), new byte[40], HashChain.GENESIS));
    }
    double[] out = new double[2];
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("raw.db"))) {
      AtomicLong n = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(5, seconds / 2));
      long t0 = System.nanoTime();
      while (System.nanoTime() < end) {
        SovereignFinancialEvent e = rows.get((int) (n.get() % rows.size()));
        long k = n.incrementAndGet();
        db.inTransaction(c -> SqliteEventLog.insert(c, e.toBuilder().setEventId("s" + k).setStreamId("s" + k)
            .setIdempotencyKey("s" + k).build(), AckResponse.getDefaultInstance(), "h", true));
      }
      out[0] = n.get() / ((System.nanoTime() - t0) / 1e9);
      AtomicLong m = new AtomicLong();
      end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(5, seconds / 2));
      t0 = System.nanoTime();
      while (System.nanoTime() < end) {
        db.inTransaction(c -> {
          for (int i = 0; i < 500; i++) {
            long k = m.incrementAndGet();
            SovereignFinancialEvent e = rows.get((int) (k % rows.size()));
            SqliteEventLog.insert(c, e.toBuilder().setEventId("b" + k).setStreamId("b" + k)
                .setIdempotencyKey("b" + k).build(), AckResponse.getDefaultInstance(), "h", true);
          }
          return null;
        });
      }
      out[1] = m.get() / ((System.nanoTime() - t0) / 1e9);
    } finally {
      try (var walk = Files.walk(dir)) { // leave no temporary database behind
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return out;
  }
}
