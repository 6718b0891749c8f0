package com.cps.dcs.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** StreamCRDTUpdates' answer: one ack per bundle in order, a refused bundle never stopping the others. */
class CrdtAcksTest {
  /** Merges anything but ids starting with "clash", all or none, as a tier's store does. */
  static final class Store implements CrdtStore {
    final List<List<String>> calls = new ArrayList<>();

    @Override
    public List<CRDTStateBundle> merge(List<CRDTStateBundle> bundles, String fromAgent) {
      calls.add(bundles.stream().map(CRDTStateBundle::getCrdtId).toList());
      if (bundles.stream().anyMatch(b -> b.getCrdtId().startsWith("clash"))) {
        throw new RefusedException(Refusal.Invalid.of("bundles", "type clash"));
      }
      return bundles.stream().map(b -> b.toBuilder().setVersion(b.getVersion() + 1).build()).toList();
    }

    @Override
    public List<CRDTStateBundle> all() {
      return List.of();
    }

    @Override
    public Optional<CRDTStateBundle> snapshot(String branchId) {
      return Optional.empty();
    }
  }

  static CRDTStateBundle bundle(String id) {
    return CRDTStateBundle.newBuilder().setCrdtId(id).setVersion(1).build();
  }

  @Test
  void goodBundlesMergeInOneCallAndACheckedOutBundleGetsItsFailedAck() {
    Store store = new Store();
    BatchAckResponse r = CrdtAcks.merge(store, "", List.of(bundle("a"), bundle("bad"), bundle("b")),
        List.of(List.of(), List.of(new Violation("bundles[1].crdt_type", "wrong")), List.of()), "node-1");
    assertThat(r.getIndividualResponsesList()).extracting(AckResponse::getSuccess).containsExactly(true, false, true);
    assertThat(r.getTotalFailed()).isEqualTo(1);
    assertThat(store.calls).containsExactly(List.of("a", "b"));
  }

  @Test
  void whenTheStoreRefusesTheUploadEachBundleIsTriedAloneToTellWhich() {
    Store store = new Store();
    BatchAckResponse r = CrdtAcks.merge(store, "", List.of(bundle("a"), bundle("clash-1"), bundle("b")),
        List.of(List.of(), List.of(), List.of()), "node-1");
    assertThat(r.getIndividualResponsesList()).extracting(AckResponse::getSuccess).containsExactly(true, false, true);
    assertThat(r.getIndividualResponses(1).getMessage()).contains("type clash");
  }

  @Test
  void aSingleRefusedBundleIsAFailedAckNotAFailedCall() {
    BatchAckResponse r = CrdtAcks.merge(new Store(), "", List.of(bundle("clash")), List.of(List.of()), "node-1");
    assertThat(r.getTotalFailed()).isEqualTo(1);
  }
}
