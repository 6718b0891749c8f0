package com.cps.dcs.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cps.dcs.proto.v4.CpsEnterpriseV4Proto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards the wire contract: every field number and type, enum value and RPC signature listed in
 * {@code wire-contract.txt} (taken from seed 000 and the wire-contract page) must be present, unchanged, in the
 * generated descriptors. Renumbering, retyping or renaming any of them fails the build.
 */
class WireContractTest {

  private static final FileDescriptor V4 = CpsEnterpriseV4Proto.getDescriptor();

  @Test
  void everyFrozenFieldEnumValueAndRpcIsPresentUnchanged() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (String line : contractLines()) {
      checked++;
      String kind = line.substring(0, line.indexOf(' '));
      String rest = line.substring(kind.length() + 1);
      String key = rest.substring(0, rest.indexOf('='));
      String expected = rest.substring(rest.indexOf('=') + 1);
      String owner = key.substring(0, key.indexOf('.'));
      String member = key.substring(key.indexOf('.') + 1);
      String actual =
          switch (kind) {
            case "field" -> describeField(owner, member);
            case "enum" -> describeEnumValue(owner, member);
            case "rpc" -> describeRpc(owner, member);
            default -> "unknown kind " + kind;
          };
      if (!expected.equals(actual)) {
        problems.add(kind + " " + key + ": contract says " + expected + ", proto has " + actual);
      }
    }
    assertTrue(checked > 250, "the contract file looks truncated: " + checked + " lines");
    assertEquals(List.of(), problems, "wire contract broken");
  }

  @Test
  void theEnumNameClashIsResolvedOnlyByName() {
    // EventType 64 keeps the seed's SAGA_FAILED; SagaState 5 carries the same number under another name.
    assertEquals(64, V4.findEnumTypeByName("EventType").findValueByName("SAGA_FAILED").getNumber());
    assertEquals(5, V4.findEnumTypeByName("SagaState").findValueByName("SAGA_STATE_FAILED").getNumber());
  }

  @Test
  void additionsUseNewNumbersOnly() {
    Descriptor event = V4.findMessageTypeByName("SovereignFinancialEvent");
    for (FieldDescriptor f : event.getFields()) {
      if (f.getNumber() > 20) {
        assertTrue(
            f.getName().equals("amount_minor") || f.getName().equals("stream_id"),
            "unexpected addition " + f.getName());
      }
    }
  }

  private static List<String> contractLines() throws IOException {
    var in = WireContractTest.class.getResourceAsStream("/wire-contract.txt");
    try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
  }

  private static String describeField(String message, String field) {
    Descriptor d = V4.findMessageTypeByName(message);
    if (d == null) return "no message " + message;
    FieldDescriptor f = d.findFieldByName(field);
    if (f == null) return "no field " + field;
    return f.getNumber() + ":" + typeOf(f);
  }

  private static String typeOf(FieldDescriptor f) {
    if (f.isMapField()) {
      Descriptor entry = f.getMessageType();
      return "map<" + scalar(entry.findFieldByName("key")) + "," + scalar(entry.findFieldByName("value")) + ">";
    }
    return (f.isRepeated() ? "repeated " : "") + scalar(f);
  }

  private static String scalar(FieldDescriptor f) {
    return switch (f.getType()) {
      case MESSAGE -> f.getMessageType().getFile() == V4 ? f.getMessageType().getName() : f.getMessageType().getFullName();
      case ENUM -> f.getEnumType().getName();
      default -> f.getType().name().toLowerCase();
    };
  }

  private static String describeEnumValue(String enumName, String value) {
    EnumDescriptor e = V4.findEnumTypeByName(enumName);
    if (e == null) return "no enum " + enumName;
    var v = e.findValueByName(value);
    return v == null ? "no value " + value : Integer.toString(v.getNumber());
  }

  private static String describeRpc(String serviceName, String method) {
    ServiceDescriptor s = V4.findServiceByName(serviceName);
    if (s == null) return "no service " + serviceName;
    MethodDescriptor m = s.findMethodByName(method);
    if (m == null) return "no rpc " + method;
    return (m.isClientStreaming() ? "stream " : "") + m.getInputType().getName() + ">"
        + (m.isServerStreaming() ? "stream " : "") + m.getOutputType().getName();
  }
}
