package com.cps.dcs.eventstore.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.saga.ContextCodec;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaEngine;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.SagaRecord.StepRecord;
import com.cps.dcs.kernel.saga.SagaStore;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Given sagas written to the branch's SQLite file, they read back exactly, fence stale writers and outlive a stop. */
class SqliteSagaStoreTest {
  @TempDir Path dir;

  static final Instant T0 = Instant.parse("2026-12-07T10:00:00.123456789Z");

  static SagaRecord saga(String id, Instant created, SagaState state, SagaStepState... steps) {
    List<StepRecord> rows = new java.util.ArrayList<>();
    for (int i = 0; i < steps.length; i++) {
      rows.add(new StepRecord("step-" + i, steps[i], steps[i] == SagaStepState.STEP_PENDING ? 0 : 1, ""));
    }
    return new SagaRecord(id, SagaType.STANDARD_SALE, state, rows, ("ctx " + id).getBytes(StandardCharsets.UTF_8),
        created, created, created.plus(Duration.ofMinutes(15)), "", false, 0);
  }

  @Test
  void aCreatedSagaReadsBackExactlyAndASecondCreateOfTheSameIdWritesNothing() {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("a.db"))) {
      SqliteSagaStore store = new SqliteSagaStore(db);
      SagaRecord fresh = saga("s-1", T0, SagaState.SAGA_PENDING, SagaStepState.STEP_PENDING,
          SagaStepState.STEP_PENDING);

      SagaRecord created = store.create(fresh);
      SagaRecord again = store.create(saga("s-1", T0.plusSeconds(5), SagaState.SAGA_RUNNING,
          SagaStepState.STEP_COMPLETED));

      assertThat(created).isSameAs(fresh);
      assertThat(store.find("s-1")).get().usingRecursiveComparison().isEqualTo(fresh);
      assertThat(again).usingRecursiveComparison().isEqualTo(fresh);
      assertThat(store.find("s-2")).isEmpty();
    }
  }

  @Test
  void anUpdateNamingAStaleVersionIsRefusedAndChangesNothing() {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("b.db"))) {
      SqliteSagaStore store = new SqliteSagaStore(db);
      store.create(saga("s-1", T0, SagaState.SAGA_PENDING, SagaStepState.STEP_PENDING));
      SagaRecord v1 = new SagaRecord("s-1", SagaType.STANDARD_SALE, SagaState.SAGA_RUNNING,
          List.of(new StepRecord("step-0", SagaStepState.STEP_EXECUTING, 1, "")), new byte[] {1, 2},
          T0, T0.plusMillis(7), T0.plus(Duration.ofMinutes(15)), "", false, 1);
      store.update(v1, 0);

      SagaRecord stale = new SagaRecord("s-1", SagaType.STANDARD_SALE, SagaState.SAGA_COMPENSATING,
          List.of(new StepRecord("step-0", SagaStepState.STEP_FAILED, 1, "late")), new byte[] {9},
          T0, T0.plusMillis(9), T0.plus(Duration.ofMinutes(15)), "late", true, 1);

      assertThatThrownBy(() -> store.update(stale, 0)).isInstanceOf(SagaStore.ConcurrentSagaUpdate.class);
      assertThat(store.find("s-1")).get().usingRecursiveComparison().isEqualTo(v1);
    }
  }

  @Test
  void unfinishedSagasOutliveReopeningTheFileOldestFirstAndFinishedOnesAreLeftOut() {
    Path file = dir.resolve("c.db");
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      SqliteSagaStore store = new SqliteSagaStore(db);
      store.create(saga("late", T0.plusSeconds(2), SagaState.SAGA_RUNNING, SagaStepState.STEP_EXECUTING));
      store.create(saga("done", T0.plusSeconds(1), SagaState.SAGA_COMPLETED, SagaStepState.STEP_COMPLETED));
      store.create(saga("early", T0, SagaState.SAGA_COMPENSATING, SagaStepState.STEP_COMPENSATING));
    }
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      List<SagaRecord> unfinished = new SqliteSagaStore(db).unfinished();

      assertThat(unfinished).extracting(SagaRecord::sagaId).containsExactly("early", "late");
      assertThat(unfinished.get(1).steps()).extracting(StepRecord::state)
          .containsExactly(SagaStepState.STEP_EXECUTING);
    }
  }

  /** Text as a saga context. */
  static final ContextCodec<String> TEXT = new ContextCodec<>() {
    @Override
    public byte[] encode(String c) {
      return c.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
  };

  /** The store, until the power is cut: from then on every write fails and nothing more reaches the file. */
  static final class PowerCut implements SagaStore {
    final SagaStore file;
    final AtomicInteger writesLeft;

    PowerCut(SagaStore file, int writes) {
      this.file = file;
      this.writesLeft = new AtomicInteger(writes);
    }

    @Override
    public SagaRecord create(SagaRecord fresh) {
      cut();
      return file.create(fresh);
    }

    @Override
    public Optional<SagaRecord> find(String sagaId) {
      return file.find(sagaId);
    }

    @Override
    public void update(SagaRecord next, long expectedVersion) {
      cut();
      file.update(next, expectedVersion);
    }

    @Override
    public List<SagaRecord> unfinished() {
      return file.unfinished();
    }

    private void cut() {
      if (writesLeft.getAndDecrement() <= 0) {
        throw new IllegalStateException("power cut");
      }
    }
  }

  @Test
  void anEngineCutOffMidSagaIsResumedFromTheFileByTheNextOneWithoutRedoingACompletedStep() {
    Path file = dir.resolve("d.db");
    List<String> effects = new CopyOnWriteArrayList<>();
    SagaDefinition<String> def = SagaDefinition.of(SagaType.STANDARD_SALE, TEXT, Duration.ofMinutes(15))
        .step("reserve", (c, a) -> {
          effects.add("reserve " + a.idempotencyKey());
          return c + "reserved;";
        })
        .step("pay", (c, a) -> {
          effects.add("pay " + a.idempotencyKey());
          return c + "paid;";
        }).build();
    ExecutorService steps = Executors.newVirtualThreadPerTaskExecutor();
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      // create, running, reserve executing, reserve completed, pay executing: the cut falls before pay runs
      SagaEngine first = new SagaEngine(new PowerCut(new SqliteSagaStore(db), 4), t -> { }, () -> T0, d -> { },
          steps);
      assertThatThrownBy(() -> first.start(def, "s-1", "")).hasMessage("power cut");
    }
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      SqliteSagaStore store = new SqliteSagaStore(db);
      SagaEngine next = new SagaEngine(store, t -> { }, () -> T0.plusSeconds(1), d -> { }, steps);

      SagaRecord resumed = next.resume(def, store.unfinished().get(0));

      assertThat(resumed.state()).isEqualTo(SagaState.SAGA_COMPLETED);
      assertThat(TEXT.decode(resumed.context())).isEqualTo("reserved;paid;");
      assertThat(effects).containsExactly("reserve s-1:reserve", "pay s-1:pay");
      assertThat(store.unfinished()).isEmpty();
    } finally {
      steps.shutdownNow();
    }
  }
}
