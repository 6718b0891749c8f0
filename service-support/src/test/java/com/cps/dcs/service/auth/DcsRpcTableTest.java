package com.cps.dcs.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.proto.controlplane.ControlPlaneGrpc;
import com.cps.dcs.proto.ops.v1.DeadLetterServiceGrpc;
import com.cps.dcs.proto.ops.v1.QuarantineServiceGrpc;
import com.cps.dcs.proto.payments.orchestration.v2.PaymentOrchestratorServiceGrpc;
import com.cps.dcs.proto.payments.quotation.v2.QuotationServiceGrpc;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DcsRpcTableTest {
  static final RpcTable TABLE = DcsRpcTable.TABLE;
  static final List<ServiceDescriptor> GENERATED = List.of(AccountingSwarmProtocolGrpc.getServiceDescriptor(),
      QueryProtocolGrpc.getServiceDescriptor(), PosServiceGrpc.getServiceDescriptor(),
      QuarantineServiceGrpc.getServiceDescriptor(), DeadLetterServiceGrpc.getServiceDescriptor(),
      ControlPlaneGrpc.getServiceDescriptor(), PaymentOrchestratorServiceGrpc.getServiceDescriptor(),
      QuotationServiceGrpc.getServiceDescriptor());

  /** Every RPC of every service the proto module declares, from the descriptor set its build writes. */
  static Set<String> everyRpcOfTheProtoModule() throws Exception {
    Set<String> rpcs = new TreeSet<>();
    try (InputStream in = DcsRpcTableTest.class.getClassLoader().getResourceAsStream("dcs-descriptor.binpb")) {
      assertThat(in).as("the proto module's descriptor set on the class path").isNotNull();
      for (FileDescriptorProto file : FileDescriptorSet.parseFrom(in).getFileList()) {
        for (ServiceDescriptorProto service : file.getServiceList()) {
          String name = file.getPackage().isEmpty() ? service.getName() : file.getPackage() + "." + service.getName();
          for (MethodDescriptorProto m : service.getMethodList()) {
            rpcs.add(name + "/" + m.getName());
          }
        }
      }
    }
    return rpcs;
  }

  @Test
  void everyRpcOfEveryServiceHasAnEntry() throws Exception {
    Set<String> rpcs = everyRpcOfTheProtoModule();
    assertThat(rpcs).hasSizeGreaterThan(40).contains("cps.enterprise.v4.AccountingSwarmProtocol/SyncCRDTState",
        "cps.enterprise.pos.v1.PosService/Checkout", "cps.enterprise.ops.v1.DeadLetterService/ListDeadLetters");
    List<String> missing = rpcs.stream().filter(m -> TABLE.find(m).isEmpty()).toList();
    assertThat(missing).as("RPCs without an entry in DcsRpcTable").isEmpty();
    // and the table names nothing that does not exist (a renamed RPC must not leave a stale entry behind)
    Set<String> declared = TABLE.rules().stream().map(RpcRule::method).filter(m -> !m.endsWith("/*"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(rpcs).containsAll(declared);
    // the generated stubs the services bind are the same services
    Set<String> generated = GENERATED.stream().flatMap(s -> s.getMethods().stream())
        .map(MethodDescriptor::getFullMethodName).collect(Collectors.toCollection(TreeSet::new));
    assertThat(generated).isEqualTo(rpcs);
  }

  @Test
  void anRpcMissingFromTheTableIsDeniedByDefault() {
    assertThat(TABLE.find("cps.enterprise.v4.AccountingSwarmProtocol/DropAllEvents")).isEmpty();
    assertThat(TABLE.find("cps.enterprise.v5.Anything/Else")).isEmpty();
    assertThat(TABLE.find("no-slash")).isEmpty();
    assertThat(TABLE.find("cps.enterprise.pos.v1.PosService/NewCommand")).as("no service-wide entry for POS")
        .isEmpty();
    RpcTable empty = RpcTable.builder().build();
    assertThat(empty.find("cps.enterprise.v4.QueryProtocol/GetBranchSummary")).isEmpty();
  }

  @Test
  void healthAndReflectionAreOpen() {
    for (String m : List.of("grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo")) {
      assertThat(TABLE.find(m)).as(m).get().extracting(RpcRule::check).isEqualTo(RpcRule.Check.OPEN);
    }
  }

  @Test
  void adminMayCallEveryBearerRpcAndPosCommandsCarryTheirSession() {
    for (RpcRule r : TABLE.rules()) {
      switch (r.check()) {
        case BEARER -> assertThat(r.roles()).as(r.method()).contains(Role.ADMIN);
        case SESSION_IN_BODY -> assertThat(r.service()).isEqualTo("cps.enterprise.pos.v1.PosService");
        case OPEN -> assertThat(r.service()).startsWith("grpc.");
      }
    }
    for (var m : PosServiceGrpc.getServiceDescriptor().getMethods()) {
      assertThat(TABLE.find(m.getFullMethodName()).orElseThrow().check()).isEqualTo(RpcRule.Check.SESSION_IN_BODY);
    }
    assertThat(rule(PosServiceGrpc.getUpsertProductMethod()).roles()).containsExactly(Role.MANAGER);
  }

  @Test
  void rolesFollowTheIssue() {
    var broadcast = rule(AccountingSwarmProtocolGrpc.getBroadcastFinancialEventMethod());
    assertThat(broadcast.roles()).containsExactlyInAnyOrder(Role.ADMIN, Role.AGENT, Role.INTEGRATOR);
    assertThat(broadcast.access()).isEqualTo(Access.WRITE);
    for (var sync : List.of(AccountingSwarmProtocolGrpc.getStreamOfflineEventsMethod(),
        AccountingSwarmProtocolGrpc.getSwarmEventExchangeMethod(), AccountingSwarmProtocolGrpc.getSyncCRDTStateMethod(),
        AccountingSwarmProtocolGrpc.getStreamCRDTUpdatesMethod(), AccountingSwarmProtocolGrpc.getAgentCommunicationMethod())) {
      assertThat(rule(sync).roles()).as(sync.getFullMethodName()).containsExactlyInAnyOrder(Role.ADMIN, Role.AGENT);
    }
    for (var q : QueryProtocolGrpc.getServiceDescriptor().getMethods()) {
      RpcRule r = TABLE.find(q.getFullMethodName()).orElseThrow();
      assertThat(r.roles()).containsExactlyInAnyOrder(Role.ADMIN, Role.MANAGER, Role.INTEGRATOR);
      assertThat(r.access()).isEqualTo(Access.READ);
      assertThat(r.branches().field()).isEqualTo("branch_id");
    }
    assertThat(TABLE.rules()).filteredOn(r -> r.check() == RpcRule.Check.BEARER)
        .noneMatch(r -> r.allows(Role.CASHIER));
    assertThat(rule(DeadLetterServiceGrpc.getListDeadLettersMethod()).branches().kind())
        .isEqualTo(BranchRule.Kind.EVERY_BRANCH);
  }

  @Test
  void everyExtractorReadsItsRpcsRequestType() {
    List<String> checked = new ArrayList<>();
    for (ServiceDescriptor s : GENERATED) {
      for (MethodDescriptor<?, ?> m : s.getMethods()) {
        Object request = ((MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller()).getMessagePrototype();
        RpcRule r = TABLE.find(m.getFullMethodName()).orElseThrow();
        r.branches().branchesOf(request);
        r.eventTypes().typesOf(request);
        checked.add(m.getFullMethodName());
      }
    }
    assertThat(checked).hasSizeGreaterThan(40);
  }

  private static RpcRule rule(MethodDescriptor<?, ?> m) {
    return TABLE.find(m.getFullMethodName()).orElseThrow();
  }
}
