package com.cps.dcs.bench.query;

import com.cps.dcs.bench.BenchCredentials;
import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Load generator for the query service: starts real PostgreSQL and Kafka (test-support), runs
 * {@code query-service/target/query-service.jar} as a child process, measures projection throughput (events/s from
 * the first produced event until GetBranchSummary counts exactly them, and the backlog's drain once all were produced)
 * and GetBranchSummary latency. Args: [events=20000] [runs=1,2,4,8,r500,r1000] [callsPerCaller=5000]
 * [jar=query-service/target/query-service.jar]. {@code runs} is a comma-separated list, one latency run per entry
 * after the same warm-up: a number is that many closed-loop callers (each sends its next call when the last one
 * answered; on two cores, 8 of them saturate the machine), {@code rN} an open loop sending N calls per second. Every
 * figure is printed with the machine's load average ({@code /proc/loadavg}) before and after, since the machine may be
 * shared.
 */
public final class QueryLoad {

  private QueryLoad() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1); // the embedded broker's threads would keep the JVM alive
    }
    System.exit(0); // the embedded broker and database stop in their shutdown hooks
  }

  private static void run(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    List<String> runs = Arrays.stream((args.length > 1 ? args[1] : "1,2,4,8,r500,r1000").split(","))
        .map(String::strip).toList();
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
    String jar = args.length > 3 ? args[3] : "query-service/target/query-service.jar";
    String pgUrl = Postgres.shared().createDatabase("qs_bench");
    String bootstrap = Kafka.shared().bootstrapServers();
    String topic = "qs-bench-" + UUID.randomUUID();
    Kafka.shared().createTopic(topic, 8);
    int grpcPort = FreePorts.allocate();
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m"));
    // extra JVM options for the service, e.g. a profiler: QUERY_LOAD_JVM_OPTS="-XX:StartFlightRecording=..."
    String opts = System.getenv().getOrDefault("QUERY_LOAD_JVM_OPTS", "").strip();
    if (!opts.isEmpty()) {
      cmd.addAll(Arrays.asList(opts.split("\\s+")));
    }
    cmd.addAll(List.of("-jar", jar));
    File serviceLog = new File("target/query-service-bench.log");
    serviceLog.getParentFile().mkdirs(); // a fresh clone has no target/ at the top
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serviceLog);
    pb.environment().put("DCS_GRPC_PORT", Integer.toString(grpcPort));
    pb.environment().put("DCS_MANAGEMENT_PORT", Integer.toString(FreePorts.allocate()));
    pb.environment().put("DCS_PG_URL", pgUrl);
    pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    pb.environment().put("DCS_KAFKA_TOPIC", topic);
    pb.environment().put("DCS_TENANT_ID", "bench");
    // the service checks its callers: its key folder next to its log, and the admin secret the load calls with
    pb.environment().put("DCS_KEY_DIR", new File("target/query-service-bench-keys").getAbsolutePath());
    String adminToken = BenchCredentials.fromEnvironmentOrRandom();
    pb.environment().put(BenchCredentials.ENV, adminToken);
    Process service = pb.start();
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
        .intercept(BenchCredentials.bearer(adminToken)).build();
    try {
      var stub = QueryProtocolGrpc.newBlockingStub(channel);
      BranchQuery q = BranchQuery.newBuilder().setBranchId("b1").build();
      long upDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (true) { // up when the branch is reported unknown (NOT_FOUND) rather than the port refusing
        try {
          stub.getBranchSummary(q);
          break;
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
            break;
          }
          if (System.nanoTime() > upDeadline || !service.isAlive()) {
            throw new IllegalStateException("query service did not come up; see target/query-service-bench.log");
          }
          Thread.sleep(200); // polling the child's start-up
        }
      }
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      long t0 = System.nanoTime();
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
          new ByteArraySerializer())) {
        for (int i = 0; i < events; i++) {
          SovereignFinancialEvent e = sale(i);
          producer.send(new ProducerRecord<>(topic, e.getStreamId(), e.toByteArray()));
        }
      }
      long t1 = System.nanoTime();
      long atProduced = -1; // projected when the last event was acknowledged by the broker
      long seen = 0;
      while (seen < events) {
        try {
          seen = stub.getBranchSummary(q).getTodayTransactions();
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
            throw e;
          }
        }
        if (atProduced < 0) {
          atProduced = seen;
        }
        if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(10)) {
          throw new IllegalStateException("only " + seen + " of " + events + " projected after 10 minutes");
        }
        if (seen < events) {
          Thread.sleep(20); // polling the projection's progress
        }
      }
      long t2 = System.nanoTime();
      if (seen != events) {
        throw new IllegalStateException(seen + " transactions projected for " + events + " events: not exact");
      }
      // end to end includes producing (the load generator's producer shares the cores); the backlog drain is the
      // consumer alone once every event is in the topic
      System.out.printf("projection: %d events in %.2f s = %.0f events/s end to end (produced in %.2f s, %d projected"
          + " by then; the remaining %d drained at %.0f events/s; load average %s)%n", events, (t2 - t0) / 1e9,
          events / ((t2 - t0) / 1e9), (t1 - t0) / 1e9, atProduced, events - atProduced,
          (events - atProduced) / ((t2 - t1) / 1e9), loadAverage());

      // Warm-up: enough calls, from several callers, for the JIT to finish compiling the service's hot paths (both
      // share the two cores; a short warm-up measures the compiler in the first runs' tails).
      int warmUp = Integer.getInteger("warmUpCalls", 30_000);
      latency(stub, q, 4, warmUp / 4, "warm-up, not a measurement: ");
      for (String run : runs) {
        if (run.startsWith("r")) {
          openLoop(channel, q, Integer.parseInt(run.substring(1)), calls);
        } else {
          latency(stub, q, Integer.parseInt(run), calls, "");
        }
      }
    } finally {
      channel.shutdownNow();
      service.destroy();
      if (!service.waitFor(20, TimeUnit.SECONDS)) {
        service.destroyForcibly();
      }
    }
  }

  private static void latency(QueryProtocolGrpc.QueryProtocolBlockingStub stub, BranchQuery q, int threads,
      int calls, String label) throws Exception {
    String loadBefore = loadAverage();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Future<long[]>[] futures = new Future[threads];
      long l0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        futures[t] = pool.submit(() -> {
          long[] lat = new long[calls];
          for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            stub.getBranchSummary(q);
            lat[i] = System.nanoTime() - s;
          }
          return lat;
        });
      }
      long[] all = new long[threads * calls];
      for (int t = 0; t < threads; t++) {
        System.arraycopy(futures[t].get(), 0, all, t * calls, calls);
      }
      double wall = (System.nanoTime() - l0) / 1e9;
      Arrays.sort(all);
      System.out.printf(label + "GetBranchSummary: %d calls, %d threads, %.0f calls/s, p50 %.2f ms, p99 %.2f ms, "
          + "p99.9 %.2f ms, max %.2f ms (load average before %s, after %s)%n", all.length, threads,
          all.length / wall, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), all[all.length - 1] / 1e6, loadBefore,
          loadAverage());
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Open loop: {@code calls} calls sent at a fixed {@code rate} per second whatever the answers' pace, each latency
   * measured from the moment the call was due (so a stall counts for every call it delays, unlike closed-loop
   * callers that wait and send less).
   */
  private static void openLoop(ManagedChannel channel, BranchQuery q, int rate, int calls) throws Exception {
    String loadBefore = loadAverage();
    var stub = QueryProtocolGrpc.newFutureStub(channel);
    long[] lat = new long[calls];
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(calls);
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    long period = 1_000_000_000L / rate;
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long due = t0 + i * period;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the sender, not waiting for a result
      }
      int k = i;
      var f = stub.getBranchSummary(q);
      f.addListener(() -> {
        lat[k] = System.nanoTime() - due;
        try {
          f.get();
        } catch (Exception e) {
          failed.incrementAndGet();
        }
        done.countDown();
      }, Runnable::run);
    }
    if (!done.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("open-loop calls did not finish");
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    Arrays.sort(lat);
    System.out.printf("GetBranchSummary: %d calls, open loop at %d/s (achieved %.0f/s, %d failed), p50 %.2f ms, "
        + "p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (load average before %s, after %s)%n", calls, rate, calls / wall,
        failed.get(), pct(lat, 0.50), pct(lat, 0.99), pct(lat, 0.999), lat[lat.length - 1] / 1e6, loadBefore,
        loadAverage());
  }

  /** The 1, 5 and 15 minute load averages, as {@code uptime} shows them. */
  private static String loadAverage() {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  private static SovereignFinancialEvent sale(int i) {
    Instant now = Instant.now();
    EventFacts facts = EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder().setProductId("p" + (i % 50))
        .setCategory("c" + (i % 5)).setQuantity(1).setUnitPriceMinor(199).setLineTotalMinor(199))
        .setPaymentMethod(i % 2 == 0 ? "CARD" : "CASH").setSessionId("till-" + (i % 4)).build();
    return SovereignFinancialEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTenantId("bench")
        .setBranchId("b1").setStreamId("sale-" + i).setStreamVersion(1).setType(EventType.SALE_COMPLETED)
        .setAmountMinor(199).setAmount(1.99).setCurrency("USD").setAgentId("bench")
        .setTs(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setCausalContext(CausalContext.newBuilder().setHlc(HybridLogicalClock.newBuilder()
            .setPhysicalMs(now.toEpochMilli()).setLogical(i).setNodeId("bench")))
        .setPublicMetadata(EventFactsCodec.encode(facts)).build();
  }
}
