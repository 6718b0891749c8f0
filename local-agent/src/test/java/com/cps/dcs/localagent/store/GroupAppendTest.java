package com.cps.dcs.localagent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.kernel.chain.HashChainVerifier;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends of one group (sealed and signed on several threads): each draft gets the outcome it would get alone, in
 * order, against the log and the drafts before it; the events verify and the chain is intact. Real SQLite, real keys.
 */
class GroupAppendTest {
  @TempDir Path dir;
  private LocalStore store;
  private EventVerifier verifier;
  private AgentKeys keys;

  @BeforeEach
  void open() {
    MetadataMac mac = new MetadataMac(new byte[64]);
    keys = AgentKeys.loadOrCreate(dir, "agent-b1");
    verifier = new EventVerifier(mac);
    store = new LocalStore(SqliteDatabase.open(dir.resolve("local.db")),
        new LocalStore.Identity("t1", "b1", "agent-b1", "EUR"),
        new EventSealer(new LocalFileKekProvider(dir.resolve("kek.key"), "local:t1"), mac, keys),
        InstantSource.system(), Duration.ofMinutes(5));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static EventDraft sale(String stream, long version, long amount, String key) {
    return new EventDraft(stream, version, EventType.SALE_COMPLETED, amount, "EUR", "", "", null,
        ("card " + key).getBytes(StandardCharsets.UTF_8), "cashier", "", key, List.of(), key, null, null, null);
  }

  private List<SovereignFinancialEvent> ownEvents() {
    List<SovereignFinancialEvent> all = new ArrayList<>();
    store.read(c -> {
      SqliteEventLog.forEachOwn(c, all::add);
      return null;
    });
    return all;
  }

  @Test
  void aBigGroupAppendsInOrderWithAnIntactChainAndValidSignatures() {
    List<EventDraft> drafts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      drafts.add(sale("s-" + (i % 7), 0, 100 + i, "k-" + i));
    }
    List<LocalStore.Result> results = store.appendAll(drafts);
    assertThat(results).hasSize(300).allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(AppendOutcome.Appended.class));
    List<SovereignFinancialEvent> events = ownEvents();
    assertThat(events).extracting(SovereignFinancialEvent::getIdempotencyKey)
        .containsExactlyElementsOf(drafts.stream().map(EventDraft::idempotencyKey).toList());
    assertThat(HashChainVerifier.verify(events).intact()).isTrue();
    events.forEach(e -> verifier.verify(e, keys.publicKey()));
    // Versions per stream are 1, 2, 3, ... in append order.
    for (int s = 0; s < 7; s++) {
      String stream = "s-" + s;
      assertThat(events.stream().filter(e -> e.getStreamId().equals(stream)).map(e -> (long) e.getStreamVersion()))
          .isSorted().startsWith(1L).doesNotHaveDuplicates();
    }
    // A second group chains after the first.
    store.appendAll(List.of(sale("s-x", 0, 1, "after-1"), sale("s-x", 0, 2, "after-2"), sale("s-x", 0, 3, "after-3"),
        sale("s-x", 0, 4, "after-4"), sale("s-x", 0, 5, "after-5")));
    assertThat(HashChainVerifier.verify(ownEvents()).intact()).isTrue();
  }

  @Test
  void withinAGroupARetryIsADuplicateAndAKeyReusedOrAStaleVersionIsRefused() {
    List<LocalStore.Result> r = store.appendAll(List.of(
        sale("a", 1, 100, "k1"),
        sale("a", 1, 100, "k1"),    // same request again: the first ack, as a duplicate
        sale("a", 1, 999, "k1"),    // same key, other content
        sale("a", 1, 200, "k2"),    // version 1 was just taken by k1
        sale("a", 2, 200, "k3"),    // the next version
        sale("b", 0, 300, "k4"),
        sale("a", 0, 400, "k5")));  // next: 3
    assertThat(r.get(0).outcome()).isInstanceOf(AppendOutcome.Appended.class);
    assertThat(r.get(1).outcome()).isInstanceOf(AppendOutcome.Duplicate.class);
    assertThat(r.get(1).outcome().ack().getIsDuplicate()).isTrue();
    assertThat(r.get(1).outcome().event().getEventId()).isEqualTo(r.get(0).outcome().event().getEventId());
    assertThat(r.get(1).outcome().ack().getReceiptHash()).isEqualTo(r.get(0).outcome().ack().getReceiptHash());
    assertThat(r.get(2).refusal()).isInstanceOf(AppendRefused.KeyReused.class);
    assertThat(r.get(3).refusal()).isInstanceOf(AppendRefused.StaleVersion.class);
    assertThat(r.get(4).outcome().event().getStreamVersion()).isEqualTo(2);
    assertThat(r.get(5).outcome().event().getStreamVersion()).isEqualTo(1);
    assertThat(r.get(6).outcome().event().getStreamVersion()).isEqualTo(3);
    assertThat(ownEvents()).hasSize(4);
    assertThat(HashChainVerifier.verify(ownEvents()).intact()).isTrue();

    // Against the log, in a later group: the same answers.
    List<LocalStore.Result> later = store.appendAll(List.of(sale("a", 1, 100, "k1"), sale("a", 1, 999, "k1"),
        sale("a", 3, 1, "k6")));
    assertThat(later.get(0).outcome().ack().getIsDuplicate()).isTrue();
    assertThat(later.get(0).outcome().event().getEventId()).isEqualTo(r.get(0).outcome().event().getEventId());
    assertThat(later.get(1).refusal()).isInstanceOf(AppendRefused.KeyReused.class);
    assertThat(later.get(2).refusal()).isInstanceOf(AppendRefused.StaleVersion.class);
    assertThatThrownBy(() -> store.append(sale("a", 9, 1, "k7"))).isInstanceOf(AppendRefused.StaleVersion.class);
  }

  @Test
  void concurrentCallersAreGroupedAndEachGetsItsOwnOutcome() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<AppendOutcome>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int n = i;
        futures.add(CompletableFuture.supplyAsync(() -> store.append(sale("c-" + (n % 5), 0, n + 1, "c" + n)),
            callers));
      }
      for (int i = 0; i < 400; i++) {
        AppendOutcome o = futures.get(i).get();
        assertThat(o.event().getIdempotencyKey()).isEqualTo("c" + i);
        assertThat(o.event().getAmountMinor()).isEqualTo(i + 1);
        verifier.verify(o.event(), keys.publicKey());
      }
    } finally {
      callers.shutdownNow();
    }
    List<SovereignFinancialEvent> events = ownEvents();
    assertThat(events).hasSize(400);
    assertThat(HashChainVerifier.verify(events).intact()).isTrue();
  }
}
