package com.cps.dcs.service.grpc;

import com.cps.dcs.proto.v4.AckResponse;

/**
 * The ack of an event a region quarantined: {@code success=false} and a message {@code "QUARANTINED: <reason>"}.
 * The wire's {@code AckResponse} has no refusal code, so the message's prefix is the contract between the region,
 * which will never store the event, and the branch, which then marks it refused and stops sending it (any other
 * refusal may be transient and is sent again).
 */
public final class QuarantinedAck {
  public static final String PREFIX = "QUARANTINED: ";

  private QuarantinedAck() {}

  public static AckResponse of(String eventId, String processingNode, String reason) {
    return AckResponse.newBuilder().setSuccess(false).setEventId(eventId).setProcessingNode(processingNode)
        .setMessage(PREFIX + reason).build();
  }

  public static boolean is(AckResponse ack) {
    return !ack.getSuccess() && ack.getMessage().startsWith(PREFIX);
  }

  /** The reason of a quarantined ack (its message without the prefix). */
  public static String reason(AckResponse ack) {
    return ack.getMessage().startsWith(PREFIX) ? ack.getMessage().substring(PREFIX.length()) : ack.getMessage();
  }
}
