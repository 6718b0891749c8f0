package com.cps.dcs.kernel.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.IntegrityException;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed events open and verify; flipping any single byte anywhere is refused. */
class EventSealingTest {
  @TempDir static Path dir;
  static TestEvents t;
  static SovereignFinancialEvent sealed;

  @BeforeAll
  static void seal() {
    t = new TestEvents(dir);
    sealed = t.sealed(1234, 1, HashChain.GENESIS);
  }

  @Test
  void aSealedEventVerifiesAndOpens() {
    assertThatCode(() -> t.verifier.verify(sealed, t.keys.publicKey())).doesNotThrowAnyException();
    assertThat(new String(t.verifier.open(sealed, t.kek), StandardCharsets.UTF_8)).isEqualTo("card=4111...1111 v1");
    assertThat(sealed.getPayload().getIv().size()).isEqualTo(12);
    assertThat(sealed.getPayload().getAuthTag().size()).isEqualTo(16);
    assertThat(sealed.getPayload().getKmsKeyId()).isEqualTo("local:t1");
  }

  @Test
  void everyEventHasItsOwnDataKeyAndIv() {
    SovereignFinancialEvent again = t.sealed(1234, 1, HashChain.GENESIS);
    assertThat(again.getPayload().getEncryptedDek()).isNotEqualTo(sealed.getPayload().getEncryptedDek());
    assertThat(again.getPayload().getIv()).isNotEqualTo(sealed.getPayload().getIv());
  }

  @Test
  void receivedAtIsCoveredByNothing() {
    SovereignFinancialEvent stamped = sealed.toBuilder().setReceivedAt(42).build();
    assertThatCode(() -> t.verifier.verify(stamped, t.keys.publicKey())).doesNotThrowAnyException();
  }

  @Test
  void flippingAnyByteOfTheSealedPayloadIsRefusedOnOpen() {
    for (var field : payloadFields()) {
      int size = field.get(sealed.getPayload()).size();
      qt().withExamples(20).forAll(integers().between(0, size - 1), integers().between(1, 255)).checkAssert(
          (pos, mask) -> {
            SovereignPayload altered = field.set(sealed.getPayload(), flip(field.get(sealed.getPayload()), pos, mask));
            SovereignFinancialEvent e = sealed.toBuilder().setPayload(altered).build();
            assertThatThrownBy(() -> t.verifier.open(e, t.kek)).isInstanceOf(IntegrityException.class);
            assertThatThrownBy(() -> t.verifier.verify(e, t.keys.publicKey())).isInstanceOf(IntegrityException.class);
          });
    }
  }

  @Test
  void alteringAnyVisibleFieldIsRefusedByTheHmac() {
    SovereignFinancialEvent[] altered = {
      sealed.toBuilder().setBranchId("b2").build(),
      sealed.toBuilder().setStreamVersion(2).build(),
      sealed.toBuilder().setCreatedBy("someone-else").build(),
      sealed.toBuilder().setPublicMetadata(flip(sealed.getPublicMetadata(), 3, 1)).build(),
      sealed.toBuilder().setCorrelationId("c-2").build(),
      sealed.toBuilder().setType(com.cps.dcs.proto.v4.EventType.SALE_REVERSED).build(),
    };
    for (SovereignFinancialEvent e : altered) {
      assertThatThrownBy(() -> t.verifier.verify(e, t.keys.publicKey()))
          .isInstanceOf(IntegrityException.class).hasMessageStartingWith("hmac");
    }
  }

  @Test
  void disagreeingMoneyIsRefusedFirst() {
    SovereignFinancialEvent e = sealed.toBuilder().setAmount(99.99).build();
    assertThatThrownBy(() -> t.verifier.verify(e, t.keys.publicKey())).hasMessageStartingWith("amount");
    assertThatThrownBy(() -> t.sealer.seal(TestEvents.draft(1234, 1).toBuilder().setAmount(1.0).build(),
        new byte[0], HashChain.GENESIS)).hasMessageContaining("disagree");
  }

  @Test
  void alteringTheHmacTheHashOrTheSignatureIsRefused() {
    String hmac = sealed.getPayload().getHmacSignature();
    String badHmac = (hmac.charAt(0) == 'a' ? "b" : "a") + hmac.substring(1);
    SovereignFinancialEvent e1 = sealed.toBuilder()
        .setPayload(sealed.getPayload().toBuilder().setHmacSignature(badHmac)).build();
    assertThatThrownBy(() -> t.verifier.verify(e1, t.keys.publicKey())).hasMessageStartingWith("hmac");

    String h = sealed.getEventHash();
    SovereignFinancialEvent e2 = sealed.toBuilder().setEventHash((h.charAt(0) == 'a' ? "b" : "a") + h.substring(1))
        .build();
    assertThatThrownBy(() -> t.verifier.verify(e2, t.keys.publicKey())).hasMessageStartingWith("event_hash");

    qt().withExamples(30).forAll(integers().between(0, sealed.getDigitalSignature().size() - 1),
        integers().between(1, 255)).checkAssert((pos, mask) -> {
          SovereignFinancialEvent e3 = sealed.toBuilder()
              .setDigitalSignature(flip(sealed.getDigitalSignature(), pos, mask)).build();
          assertThatThrownBy(() -> t.verifier.verify(e3, t.keys.publicKey())).hasMessageStartingWith("signature");
        });
  }

  @Test
  void anotherAgentsKeyDoesNotVerifyTheSignature() {
    assertThatThrownBy(() -> t.verifier.verify(sealed, AgentKeys.generateEphemeral().publicKey()))
        .hasMessageStartingWith("signature");
  }

  @Test
  void aChainLinkAlteredAfterSigningIsRefusedByTheSignature() {
    SovereignFinancialEvent e = sealed.toBuilder().setPayload(sealed.getPayload().toBuilder()
        .setAuditTrailHash(flip(sealed.getPayload().getAuditTrailHash(), 0, 1))).build();
    assertThatThrownBy(() -> t.verifier.verify(e, t.keys.publicKey())).hasMessageStartingWith("signature");
  }

  @Test
  void sealingInStepsOnManyThreadsGivesEventsThatVerifyAndChain() throws Exception {
    java.util.List<SovereignFinancialEvent> drafts = new java.util.ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      drafts.add(TestEvents.draft(100 + i, i));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<EventSealer.Sealing> begun = new java.util.ArrayList<>();
      for (var f : pool.invokeAll(drafts.stream().map(d -> (java.util.concurrent.Callable<EventSealer.Sealing>)
          () -> t.sealer.begin(d, "secret".getBytes(StandardCharsets.UTF_8))).toList())) {
        begun.add(f.get());
      }
      byte[] previous = HashChain.GENESIS;
      for (EventSealer.Sealing s : begun) {
        previous = s.chain(previous);
      }
      java.util.List<SovereignFinancialEvent> chained = new java.util.ArrayList<>();
      for (var f : pool.invokeAll(begun.stream().map(s -> (java.util.concurrent.Callable<SovereignFinancialEvent>)
          s::sign).toList())) {
        chained.add(f.get());
      }
      for (SovereignFinancialEvent e : chained) {
        assertThatCode(() -> t.verifier.verify(e, t.keys.publicKey())).doesNotThrowAnyException();
      }
      assertThat(com.cps.dcs.kernel.chain.HashChainVerifier.verify(chained).intact()).isTrue();
      // The same draft sealed in one call has the same hash: the steps change nothing of what is covered.
      assertThat(chained.get(0).getEventHash()).isEqualTo(begun.get(0).eventHash());
      // The stored encoding parses to exactly the signed event.
      for (int i = 0; i < chained.size(); i++) {
        assertThat(SovereignFinancialEvent.parseFrom(begun.get(i).signedBytes())).isEqualTo(chained.get(i));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anEventIsSignedOnlyOnceChained() {
    EventSealer.Sealing s = t.sealer.begin(TestEvents.draft(100, 1), new byte[0]);
    assertThatThrownBy(s::sign).isInstanceOf(IllegalStateException.class);
  }

  static ByteString flip(ByteString b, int pos, int mask) {
    byte[] a = b.toByteArray();
    a[pos] ^= (byte) mask;
    return ByteString.copyFrom(a);
  }

  record Field(java.util.function.Function<SovereignPayload, ByteString> get,
               BiFunction<SovereignPayload, ByteString, SovereignPayload> set) {
    ByteString get(SovereignPayload p) {
      return get.apply(p);
    }

    SovereignPayload set(SovereignPayload p, ByteString b) {
      return set.apply(p, b);
    }
  }

  static java.util.List<Field> payloadFields() {
    return java.util.List.of(
        new Field(SovereignPayload::getEncryptedData, (p, b) -> p.toBuilder().setEncryptedData(b).build()),
        new Field(SovereignPayload::getAuthTag, (p, b) -> p.toBuilder().setAuthTag(b).build()),
        new Field(SovereignPayload::getIv, (p, b) -> p.toBuilder().setIv(b).build()),
        new Field(SovereignPayload::getEncryptedDek, (p, b) -> p.toBuilder().setEncryptedDek(b).build()));
  }
}
