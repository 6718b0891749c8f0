package com.cps.dcs.query.projection;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * A record to project: where it came from ({@code topic} null for a rebuild from the event store), its value, and
 * the event it holds, or why it holds none.
 */
public record Incoming(String topic, int partition, long offset, byte[] value, SovereignFinancialEvent event,
    String problem) {

  /** A Kafka record's value: parsed, or not an event (a tombstone, other bytes). */
  public static Incoming fromKafka(String topic, int partition, long offset, byte[] value) {
    if (value == null) {
      return new Incoming(topic, partition, offset, null, null, "a record without a value is not an event");
    }
    try {
      return new Incoming(topic, partition, offset, value, SovereignFinancialEvent.parseFrom(value), null);
    } catch (InvalidProtocolBufferException e) {
      return new Incoming(topic, partition, offset, value, null,
          "not a SovereignFinancialEvent: " + e.getMessage());
    }
  }

  /** An event of a rebuild (or a test): nothing to dead-letter it under. */
  public static Incoming of(SovereignFinancialEvent e) {
    return new Incoming(null, 0, -1, null, e, null);
  }
}
