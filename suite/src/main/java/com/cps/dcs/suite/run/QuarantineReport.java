package com.cps.dcs.suite.run;

import com.cps.dcs.proto.ops.v1.DeadLetter;
import com.cps.dcs.proto.ops.v1.DeadLetterServiceGrpc;
import com.cps.dcs.proto.ops.v1.ListDeadLettersRequest;
import com.cps.dcs.proto.ops.v1.ListQuarantinedRequest;
import com.cps.dcs.proto.ops.v1.QuarantineServiceGrpc;
import com.cps.dcs.proto.ops.v1.QuarantinedEvent;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./dcs quarantine [branch]}: what a running suite set aside instead of wedging on it: the events the region
 * quarantined ({@code ListQuarantined} on the first regional node that answers) and the records the query service
 * dead-lettered ({@code ListDeadLetters}). Exit 0 when both answered, 1 otherwise.
 */
final class QuarantineReport {
  private static final int PAGE = 500;
  private final RunConfig cfg;
  private final String branchOrEmpty;
  private final PrintStream out;

  QuarantineReport(RunConfig cfg, String branchOrEmpty, PrintStream out) {
    this.cfg = cfg;
    this.branchOrEmpty = branchOrEmpty;
    this.out = out;
  }

  int run() {
    boolean region = printQuarantined();
    boolean query = printDeadLetters();
    return region && query ? 0 : 1;
  }

  private boolean printQuarantined() {
    List<String> errors = new ArrayList<>();
    for (RunConfig.Node n : cfg.nodes) {
      ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", n.grpcPort()).usePlaintext()
          .intercept(AdminSecret.credential(AdminSecret.existing(cfg))).build();
      try {
        var stub = QuarantineServiceGrpc.newBlockingStub(ch);
        List<QuarantinedEvent> all = new ArrayList<>();
        long afterIndex = 0;
        int afterPos = -1;
        while (true) {
          List<QuarantinedEvent> page = stub.withDeadlineAfter(10, TimeUnit.SECONDS).listQuarantined(
              ListQuarantinedRequest.newBuilder().setBranchId(branchOrEmpty).setLimit(PAGE)
                  .setAfterRaftIndex(afterIndex).setAfterRaftPos(afterPos).build()).getEventsList();
          all.addAll(page);
          if (page.size() < PAGE) {
            break;
          }
          afterIndex = page.get(page.size() - 1).getRaftIndex();
          afterPos = page.get(page.size() - 1).getRaftPos();
        }
        out.println("Quarantined by the region (node " + n.id() + "): " + all.size() + " event(s)"
            + (branchOrEmpty.isEmpty() ? "" : " of " + branchOrEmpty));
        for (QuarantinedEvent e : all) {
          out.println("  " + Instant.ofEpochMilli(e.getQuarantinedAtMs()) + "  entry " + e.getRaftIndex() + "/"
              + e.getRaftPos() + "  " + e.getBranchId() + "  event " + e.getEventId() + "  stream " + e.getStreamId()
              + " v" + e.getStreamVersion());
          out.println("      " + e.getReason() + (e.getSqlState().isEmpty() ? "" : " [" + e.getSqlState() + "]"));
        }
        return true;
      } catch (StatusRuntimeException e) {
        errors.add(n.id() + ": " + e.getStatus());
      } finally {
        ch.shutdownNow();
      }
    }
    out.println("Quarantined by the region: no regional node answered (" + String.join("; ", errors) + ")");
    return false;
  }

  private boolean printDeadLetters() {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", cfg.queryPort).usePlaintext()
        .intercept(AdminSecret.credential(AdminSecret.existing(cfg))).build();
    try {
      var stub = DeadLetterServiceGrpc.newBlockingStub(ch);
      List<DeadLetter> all = new ArrayList<>();
      long after = 0;
      while (true) {
        List<DeadLetter> page = stub.withDeadlineAfter(10, TimeUnit.SECONDS).listDeadLetters(
            ListDeadLettersRequest.newBuilder().setLimit(PAGE).setAfterId(after).build()).getDeadLettersList();
        all.addAll(page);
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).getId();
      }
      List<DeadLetter> shown = all.stream()
          .filter(d -> branchOrEmpty.isEmpty() || d.getBranchId().equals(branchOrEmpty)).toList();
      out.println("Dead letters of the query service: " + shown.size() + " record(s)");
      for (DeadLetter d : shown) {
        out.println("  " + Instant.ofEpochMilli(d.getDeadAtMs()) + "  " + d.getTopic() + "-" + d.getPartition() + "@"
            + d.getOffset() + (d.getEventId().isEmpty() ? "" : "  event " + d.getEventId() + "  " + d.getBranchId()));
        out.println("      " + d.getReason());
      }
      return true;
    } catch (StatusRuntimeException e) {
      out.println("Dead letters of the query service: it did not answer (" + e.getStatus() + ")");
      return false;
    } finally {
      ch.shutdownNow();
    }
  }
}
