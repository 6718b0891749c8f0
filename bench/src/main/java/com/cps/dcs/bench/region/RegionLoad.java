package com.cps.dcs.bench.region;

import com.cps.dcs.bench.BenchCredentials;
import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.FirstReply;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Load generator for a running region: committed events per second and the commit latency of batched ingest
 * ({@code StreamOfflineEvents}) from concurrent branches spread over the nodes, each event verified, replicated by
 * Raft and written to PostgreSQL with its index and outbox rows; beside it, the raw PostgreSQL insert rate of the same
 * rows into {@code event_store} alone (same batch size, same number of connections). The events are sealed and
 * signed before the clock starts (that is the branches' work, not the region's). Usage:
 * {@code RegionLoad nodes(host:port,...) keyDir tenant events clients batch rawPgUrl}.
 */
public final class RegionLoad {
  public static void main(String[] args) throws Exception {
    List<String> nodes = Arrays.asList(args[0].split(","));
    Path keyDir = Path.of(args[1]);
    String tenant = args[2];
    int events = Integer.parseInt(args[3]);
    int clients = Integer.parseInt(args[4]);
    int batch = Integer.parseInt(args[5]);
    String rawPgUrl = args[6];

    String adminToken = BenchCredentials.fromEnvironment();
    List<ManagedChannel> channels = nodes.stream().map(n -> (ManagedChannel) ManagedChannelBuilder.forTarget(n)
        .usePlaintext().maxInboundMessageSize(64 << 20).intercept(BenchCredentials.bearer(adminToken)).build())
        .toList();
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<BranchSigner> branches = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      BranchSigner b = new BranchSigner(keyDir, tenant, "bench-" + run + "-" + c, "agent-bench-" + run + "-" + c);
      register(channels.get(c % channels.size()), b.registration());
      branches.add(b);
    }
    System.out.printf("sealing and signing %d events for %d branches...%n", events, clients);
    List<List<List<SovereignFinancialEvent>>> work = new ArrayList<>();
    int perClient = events / clients;
    for (BranchSigner b : branches) {
      List<List<SovereignFinancialEvent>> batches = new ArrayList<>();
      for (int done = 0; done < perClient; done += batch) {
        batches.add(b.nextSales(Math.min(batch, perClient - done)));
      }
      work.add(batches);
    }
    // Warm-up: one batch per client.
    ingest(channels, work.stream().map(w -> w.subList(0, 1)).toList());
    List<List<List<SovereignFinancialEvent>>> measured = work.stream().map(w -> w.subList(1, w.size())).toList();
    long total = measured.stream().mapToLong(w -> w.stream().mapToLong(List::size).sum()).sum();
    long started = System.nanoTime();
    long[] latencies = ingest(channels, measured);
    double seconds = (System.nanoTime() - started) / 1e9;
    Arrays.sort(latencies);
    System.out.printf("region ingest: %d events in %.1f s = %.0f committed events/s; batch of %d commit latency"
        + " p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d clients over %d nodes)%n", total, seconds, total / seconds,
        batch, pct(latencies, 0.50), pct(latencies, 0.99), latencies[latencies.length - 1] / 1e6, clients,
        nodes.size());
    channels.forEach(ManagedChannel::shutdownNow);

    double raw = rawInsert(rawPgUrl, tenant, measured, clients);
    System.out.printf("raw PostgreSQL: the same %d rows into event_store, %d-row transactions over %d connections:"
        + " %.0f rows/s; the region reaches %.2f of it%n", total, batch, clients, raw, total / seconds / raw);
  }

  static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  static void register(ManagedChannel ch, AgentMessage hello) throws Exception {
    CompletableFuture<AgentMessage> reply = new CompletableFuture<>();
    StreamObserver<AgentMessage> req = AccountingSwarmProtocolGrpc.newStub(ch).agentCommunication(
        FirstReply.into(reply));
    req.onNext(hello);
    reply.get(60, TimeUnit.SECONDS);
    req.onCompleted();
  }

  /** Each client streams its batches one after the other to its node; returns each batch's latency in ns. */
  public static long[] ingest(List<ManagedChannel> channels, List<List<List<SovereignFinancialEvent>>> work)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(work.size());
    List<CompletableFuture<List<Long>>> futures = new ArrayList<>();
    for (int c = 0; c < work.size(); c++) {
      ManagedChannel ch = channels.get(c % channels.size());
      List<List<SovereignFinancialEvent>> mine = work.get(c);
      futures.add(CompletableFuture.supplyAsync(() -> {
        List<Long> lat = new ArrayList<>();
        var stub = AccountingSwarmProtocolGrpc.newStub(ch);
        for (List<SovereignFinancialEvent> b : mine) {
          long t0 = System.nanoTime();
          CompletableFuture<BatchAckResponse> r = new CompletableFuture<>();
          StreamObserver<SovereignFinancialEvent> req = stub.withDeadlineAfter(120, TimeUnit.SECONDS)
              .streamOfflineEvents(FirstReply.into(r));
          b.forEach(req::onNext);
          req.onCompleted();
          BatchAckResponse acks = r.join();
          if (acks.getTotalFailed() > 0) {
            throw new IllegalStateException("refused: " + acks.getIndividualResponsesList().stream()
                .filter(a -> !a.getSuccess()).findFirst().orElseThrow().getMessage());
          }
          lat.add(System.nanoTime() - t0);
        }
        return lat;
      }, pool));
    }
    List<Long> all = new ArrayList<>();
    try {
      for (var f : futures) {
        all.addAll(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    return all.stream().mapToLong(Long::longValue).toArray();
  }

  /** The same rows straight into event_store of a fresh database with the same schema; rows per second. */
  static double rawInsert(String pgUrl, String tenant, List<List<List<SovereignFinancialEvent>>> work, int clients)
      throws Exception {
    PgDatabase.createAndMigrate(pgUrl);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long t0 = System.nanoTime();
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (var mine : work) {
      futures.add(CompletableFuture.supplyAsync(() -> {
        long n = 0;
        try (Connection c = DriverManager.getConnection(pgUrl)) {
          c.setAutoCommit(false);
          for (List<SovereignFinancialEvent> b : mine) {
            try (Statement s = c.createStatement()) {
              s.execute("SELECT set_config('app.tenant_id', '" + tenant + "', true)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_store (tenant_id, branch_id,"
                + " stream_id, stream_version, event_id, event_type, idempotency_key, amount_minor, currency,"
                + " event_ts, hlc_physical_ms, hlc_logical, event_hash, event_bytes)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
              for (SovereignFinancialEvent e : b) {
                ps.setString(1, e.getTenantId());
                ps.setString(2, e.getBranchId());
                ps.setString(3, e.getStreamId());
                ps.setInt(4, e.getStreamVersion());
                ps.setString(5, e.getEventId());
                ps.setInt(6, e.getTypeValue());
                ps.setString(7, e.getIdempotencyKey());
                ps.setLong(8, e.getAmountMinor());
                ps.setString(9, e.getCurrency());
                ps.setTimestamp(10, new Timestamp(e.getTs().getSeconds() * 1000));
                ps.setLong(11, e.getCausalContext().getHlc().getPhysicalMs());
                ps.setInt(12, e.getCausalContext().getHlc().getLogical());
                ps.setString(13, e.getEventHash());
                ps.setBytes(14, e.toByteArray());
                ps.addBatch();
              }
              ps.executeBatch();
            }
            c.commit();
            n += b.size();
          }
        } catch (Exception ex) {
          throw new IllegalStateException(ex);
        }
        return n;
      }, pool));
    }
    long rows = 0;
    try {
      for (var f : futures) {
        rows += f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return rows / ((System.nanoTime() - t0) / 1e9);
  }
}
