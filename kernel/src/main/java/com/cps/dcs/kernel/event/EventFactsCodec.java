package com.cps.dcs.kernel.event;

import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

/** Encodes the non-secret {@link EventFacts} into an event's {@code public_metadata} and back. */
public final class EventFactsCodec {
  private EventFactsCodec() {}

  public static ByteString encode(EventFacts facts) {
    return facts.toByteString();
  }

  /**
   * @throws IllegalArgumentException when the bytes are not an {@link EventFacts}
   */
  public static EventFacts decode(ByteString publicMetadata) {
    try {
      return EventFacts.parseFrom(publicMetadata);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("public_metadata is not an encoded EventFacts", e);
    }
  }

  public static EventFacts of(SovereignFinancialEvent e) {
    return decode(e.getPublicMetadata());
  }
}
