package com.cps.dcs.kernel.hash;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Canonical bytes of a protobuf message: deterministic serialization (fields by number, map entries sorted), so the
 * same content always hashes and signs to the same bytes in this system.
 */
public final class Canonical {
  private Canonical() {}

  public static byte[] bytes(Message message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.getSerializedSize());
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.useDeterministicSerialization();
    try {
      message.writeTo(coded);
      coded.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
