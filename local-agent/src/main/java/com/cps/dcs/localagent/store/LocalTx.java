package com.cps.dcs.localagent.store;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog.CrdtRow;
import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.clock.ClockDriftException;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.event.ReceiptHash;
import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.kernel.hash.IdempotencyKeys;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/** The operations available inside one {@link LocalStore#transaction}. */
public final class LocalTx implements StateView {
  private final Connection c;
  private final LocalStore.Identity id;
  private final HlcClock clock;
  private final EventSealer sealer;
  private final InstantSource time;
  private final List<StoredEvent> appended;

  LocalTx(Connection c, LocalStore.Identity id, HlcClock clock, EventSealer sealer, InstantSource time,
      List<StoredEvent> appended) {
    this.c = c;
    this.id = id;
    this.clock = clock;
    this.sealer = sealer;
    this.time = time;
    this.appended = appended;
  }

  /**
   * Appends one event through the whole pipeline: idempotency (forever), optimistic concurrency, id and clock,
   * seal + HMAC + hash + chain + signature, durable insert, ack.
   *
   * @throws AppendRefused when the request is stale, reuses a key for other content, or is invalid
   */
  public AppendOutcome append(EventDraft d) {
    long started = System.nanoTime();
    try {
      String contentHash = contentHash(d);
      String key = d.idempotencyKey() != null && !d.idempotencyKey().isEmpty() ? d.idempotencyKey()
          : IdempotencyKeys.of(id.tenantId(), id.branchId(), d.streamId(), d.type(), d.amountMinor(), d.currency(),
              d.correlationId(), d.naturalKey());
      Optional<StoredEvent> existing = SqliteEventLog.byIdempotencyKey(c, key);
      if (existing.isPresent()) {
        if (!existing.get().contentHash().equals(contentHash)) {
          throw new AppendRefused.KeyReused(key);
        }
        return new AppendOutcome.Duplicate(existing.get().event(),
            existing.get().ack().toBuilder().setIsDuplicate(true).build());
      }
      if (d.eventId() != null && SqliteEventLog.byEventId(c, d.eventId()).isPresent()) {
        throw new AppendRefused.Invalid("event_id", "event " + d.eventId() + " already exists with other content");
      }
      long current = SqliteEventLog.streamVersion(c, d.streamId());
      long version = d.streamVersion() == 0 ? current + 1 : d.streamVersion();
      if (version != current + 1) {
        throw new AppendRefused.StaleVersion(d.streamId(), current, version);
      }
      Hlc hlc;
      try {
        hlc = d.causalContext() != null && d.causalContext().hasHlc()
            ? clock.receive(Hlc.fromProto(d.causalContext().getHlc()))
            : clock.now();
      } catch (ClockDriftException e) {
        throw new AppendRefused.Invalid("causal_context.hlc", e.getMessage());
      }
      CausalContext.Builder causal = d.causalContext() == null ? CausalContext.newBuilder()
          : d.causalContext().toBuilder();
      causal.setHlc(hlc.toProto()).setLamportTimestamp(Math.max(causal.getLamportTimestamp() + 1, hlc.counter()));
      if (d.parentEventIds() != null && causal.getParentEventIdsCount() == 0) {
        causal.addAllParentEventIds(d.parentEventIds());
      }
      Instant now = time.instant();
      SovereignFinancialEvent.Builder draft = SovereignFinancialEvent.newBuilder()
          .setEventId(d.eventId() != null ? d.eventId() : UuidV7.next().toString())
          .setCorrelationId(nz(d.correlationId()))
          .setIdempotencyKey(key)
          .setStreamVersion(Math.toIntExact(version))
          .setStreamId(d.streamId())
          .setBranchId(id.branchId())
          .setAgentId(id.agentId())
          .setSagaId(nz(d.sagaId()))
          .setTenantId(id.tenantId())
          .setType(d.type())
          .setAmountMinor(d.amountMinor())
          .setCurrency(nz(d.currency()))
          .setCausalContext(causal)
          .setTs(d.ts() != null ? d.ts() : Timestamp.newBuilder().setSeconds(now.getEpochSecond())
              .setNanos(now.getNano()).build())
          .setCreatedBy(nz(d.createdBy()))
          .setApprovedBy(nz(d.approvedBy()));
      if (!nz(d.currency()).isEmpty()) {
        draft.setAmount(Money.ofMinor(d.amountMinor(), d.currency()).toWireDouble());
      }
      if (d.facts() != null) {
        draft.setPublicMetadata(EventFactsCodec.encode(d.facts()));
      }
      byte[] previous = SqliteEventLog.meta(c, LocalStore.CHAIN_HEAD).orElse(HashChain.GENESIS);
      SovereignFinancialEvent sealed = sealer.seal(draft.build(),
          d.sensitivePayload() == null ? new byte[0] : d.sensitivePayload(), previous);
      AckResponse ack = AckResponse.newBuilder()
          .setSuccess(true)
          .setMessage("appended")
          .setReceiptHash(ReceiptHash.of(sealed.getEventId(), version))
          .setSagaId(sealed.getSagaId())
          .setCommittedClock(hlc.toProto())
          .setProcessingNode(id.agentId())
          .setProcessingTimeMs((System.nanoTime() - started) / 1_000_000)
          .setEventId(sealed.getEventId())
          .build();
      long seq = SqliteEventLog.insert(c, sealed, ack, contentHash, true);
      SqliteEventLog.putMeta(c, LocalStore.CHAIN_HEAD, EventSealer.chainLinkOf(sealed));
      StoredEvent stored = new StoredEvent(seq, sealed, ack, contentHash, true);
      appended.add(stored);
      return new AppendOutcome.Appended(sealed, ack);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  /**
   * Stores an event created and sealed by a verified peer agent (verification is the caller's duty); duplicates
   * by event id or idempotency key return the first ack.
   */
  public AppendOutcome acceptPeerEvent(SovereignFinancialEvent e, long receivedAtMs) {
    try {
      Optional<StoredEvent> existing = SqliteEventLog.byEventId(c, e.getEventId());
      if (existing.isEmpty() && !e.getIdempotencyKey().isEmpty()) {
        existing = SqliteEventLog.byIdempotencyKey(c, e.getIdempotencyKey());
      }
      if (existing.isPresent()) {
        return new AppendOutcome.Duplicate(existing.get().event(),
            existing.get().ack().toBuilder().setIsDuplicate(true).build());
      }
      if (e.hasCausalContext() && e.getCausalContext().hasHlc()) {
        try {
          clock.receive(Hlc.fromProto(e.getCausalContext().getHlc()));
        } catch (ClockDriftException ex) {
          throw new AppendRefused.Invalid("causal_context.hlc", ex.getMessage());
        }
      }
      SovereignFinancialEvent stored = e.toBuilder().setReceivedAt(receivedAtMs).build();
      AckResponse ack = AckResponse.newBuilder().setSuccess(true).setMessage("accepted from " + e.getAgentId())
          .setReceiptHash(ReceiptHash.of(e.getEventId(), e.getStreamVersion()))
          .setSagaId(e.getSagaId()).setCommittedClock(clock.last().toProto()).setProcessingNode(id.agentId())
          .setEventId(e.getEventId()).build();
      long seq = SqliteEventLog.insert(c, stored, ack, "peer:" + e.getEventHash(), false);
      appended.add(new StoredEvent(seq, stored, ack, "peer:" + e.getEventHash(), false));
      return new AppendOutcome.Appended(stored, ack);
    } catch (SQLException ex) {
      throw LocalStore.sql(ex);
    }
  }

  public long streamVersion(String streamId) {
    try {
      return SqliteEventLog.streamVersion(c, streamId);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  @Override
  public Optional<Crdt> crdt(String crdtId) {
    try {
      return SqliteEventLog.crdt(c, crdtId).map(LocalTx::toCrdt);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  /** Replaces the CRDT {@code crdtId} (callers merge first) and stamps it with this agent's clock. */
  public void putCrdt(String crdtId, Crdt value) {
    try {
      long version = SqliteEventLog.crdt(c, crdtId).map(CrdtRow::version).orElse(0L) + 1;
      Hlc at = clock.now();
      SqliteEventLog.putCrdt(c, new CrdtRow(crdtId, value.typeName(), value.toProto(id.branchId()).toByteArray(),
          at.toProto().toByteArray(), version));
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  /** Merges an incoming bundle into the local CRDT of the same id; returns the merged bundle. */
  public CRDTStateBundle mergeBundle(CRDTStateBundle incoming) {
    Crdt in = CrdtBundles.fromBundle(incoming);
    try {
      Optional<CrdtRow> row = SqliteEventLog.crdt(c, incoming.getCrdtId());
      Crdt merged = row.map(r -> {
        Crdt local = toCrdt(r);
        if (!local.typeName().equals(in.typeName())) {
          throw new AppendRefused.Invalid("crdt_type", incoming.getCrdtId() + " is a " + local.typeName()
              + " here, not a " + in.typeName());
        }
        return local.merge(in);
      }).orElse(in);
      if (incoming.hasLastUpdated()) {
        try {
          clock.receive(Hlc.fromProto(incoming.getLastUpdated()));
        } catch (ClockDriftException e) {
          throw new AppendRefused.Invalid("last_updated", e.getMessage());
        }
      }
      boolean changed = row.map(r -> !toCrdt(r).equals(merged)).orElse(true);
      if (changed) {
        putCrdt(incoming.getCrdtId(), merged);
      }
      CrdtRow now = SqliteEventLog.crdt(c, incoming.getCrdtId()).orElseThrow();
      return CrdtBundles.toBundle(id.branchId(), now.crdtId(), merged, hlcOf(now), now.version());
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  @Override
  public Optional<byte[]> document(String collection, String docId) {
    try {
      return SqliteEventLog.document(c, collection, docId);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  public void putDocument(String collection, String docId, byte[] body) {
    try {
      SqliteEventLog.putDocument(c, collection, docId, body);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  @Override
  public List<byte[]> documents(String collection) {
    try {
      return SqliteEventLog.documents(c, collection);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  public Connection connection() {
    return c;
  }

  /** A fresh reading of the agent's clock. */
  public Hlc now() {
    return clock.now();
  }

  void persistClock() {
    try {
      SqliteEventLog.putMeta(c, LocalStore.HLC_HIGH_WATER, clock.last().toProto().toByteArray());
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  static Crdt toCrdt(CrdtRow r) {
    return CrdtBundles.fromBundle(CRDTStateBundle.newBuilder().setCrdtId(r.crdtId()).setCrdtType(r.crdtType())
        .setSerializedState(ByteString.copyFrom(r.state())).build());
  }

  static Hlc hlcOf(CrdtRow r) {
    try {
      return Hlc.fromProto(HybridLogicalClock.parseFrom(r.updatedAt()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored CRDT clock of " + r.crdtId() + " is corrupt", e);
    }
  }

  /** SHA-256 of the business content: tells a retry (same content) from a different request reusing a key. */
  static String contentHash(EventDraft d) {
    SovereignFinancialEvent.Builder b = SovereignFinancialEvent.newBuilder()
        .setStreamId(nz(d.streamId())).setType(d.type()).setAmountMinor(d.amountMinor())
        .setCurrency(nz(d.currency())).setCorrelationId(nz(d.correlationId())).setSagaId(nz(d.sagaId()))
        .setCreatedBy(nz(d.createdBy())).setApprovedBy(nz(d.approvedBy()))
        .setPayload(SovereignPayload.newBuilder().setEncryptedData(ByteString.copyFrom(
            Sha256.digest(d.sensitivePayload() == null ? new byte[0] : d.sensitivePayload()))));
    if (d.facts() != null) {
      b.setPublicMetadata(EventFactsCodec.encode(d.facts()));
    }
    if (d.eventId() != null) {
      b.setEventId(d.eventId());
    }
    if (d.streamVersion() != 0) {
      b.setStreamVersion(Math.toIntExact(d.streamVersion()));
    }
    return Sha256.hex(Sha256.digest(Canonical.bytes(b.build())));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
