package com.cps.dcs.swarm;

import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.service.grpc.GrpcErrors;
import java.util.ArrayList;
import java.util.List;

/** {@code StreamCRDTUpdates}' answer: every good bundle merged, one ack per bundle in the order sent. */
final class CrdtAcks {
  private CrdtAcks() {}

  static BatchAckResponse merge(CrdtStore crdts, String from, List<CRDTStateBundle> received,
      List<List<Violation>> verdicts, String node) {
    AckResponse[] acks = new AckResponse[received.size()];
    List<Integer> index = new ArrayList<>();
    List<CRDTStateBundle> good = new ArrayList<>();
    for (int i = 0; i < received.size(); i++) {
      if (verdicts.get(i).isEmpty()) {
        index.add(i);
        good.add(received.get(i));
      } else {
        acks[i] = failed(new Refusal.Invalid(verdicts.get(i)), node);
      }
    }
    List<CRDTStateBundle> merged = null;
    try {
      merged = good.isEmpty() ? List.of() : crdts.merge(good, from);
    } catch (RefusedException whole) {
      if (whole.refusal() instanceof Refusal.Unavailable) {
        throw whole;
      }
      if (good.size() == 1) {
        acks[index.get(0)] = failed(whole.refusal(), node);
        good.clear();
      }
      // else one of them conflicts with what is stored: merge them one by one to tell which
    }
    for (int k = 0; k < good.size(); k++) {
      int i = index.get(k);
      try {
        CRDTStateBundle m = merged != null ? merged.get(k) : crdts.merge(List.of(good.get(k)), from).get(0);
        acks[i] = AckResponse.newBuilder().setSuccess(true).setMessage("merged " + m.getCrdtId() + " v"
            + m.getVersion()).setProcessingNode(node).setCommittedClock(m.getLastUpdated()).build();
      } catch (RefusedException one) {
        acks[i] = failed(one.refusal(), node);
      }
    }
    int failed = 0;
    for (AckResponse a : acks) {
      failed += a.getSuccess() ? 0 : 1;
    }
    return BatchAckResponse.newBuilder().addAllIndividualResponses(List.of(acks)).setTotalProcessed(acks.length)
        .setTotalFailed(failed).setBatchId(UuidV7.next().toString()).build();
  }

  private static AckResponse failed(Refusal r, String node) {
    return AckResponse.newBuilder().setSuccess(false).setMessage(GrpcErrors.of(r).getStatus().getDescription())
        .setProcessingNode(node).build();
  }
}
