package com.cps.dcs.service.grpc;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.validation.InputRefused;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that turns failures into gRPC statuses: a {@code google.rpc.Status} with an {@link ErrorInfo}
 * (domain {@value #DOMAIN}, a machine-readable reason) and the detail that names the problem (the field, the
 * resource, the precondition). Callers read them back with {@link #statusOf}.
 */
public final class GrpcErrors {
  /** The ErrorInfo domain of every DCS error. */
  public static final String DOMAIN = "dcs.cps.com";

  private GrpcErrors() {}

  /** INVALID_ARGUMENT naming one field. */
  public static StatusRuntimeException invalidArgument(String field, String description) {
    return invalidArguments(List.of(violation(field, description)));
  }

  /** INVALID_ARGUMENT naming every field the shared checks refused. */
  public static StatusRuntimeException refused(InputRefused refused) {
    return invalidArguments(refused.violations().stream().map(v -> violation(v.field(), v.description())).toList());
  }

  /**
   * The one mapping from a typed {@link Refusal} to a status with its details: every tier answers the same refusal
   * with the same code, reason and details.
   */
  public static StatusRuntimeException of(Refusal r) {
    return switch (r) {
      case Refusal.Invalid i -> invalidArguments(i.violations().stream()
          .map(v -> violation(v.field(), v.description())).toList());
      case Refusal.StaleVersion s -> aborted(s.reason(), s.message(), s.metadata());
      case Refusal.KeyReused k -> alreadyExists(k.reason(), k.key(), k.message());
      case Refusal.Untrusted u -> permissionDenied(u.code(), u.message());
      case Refusal.Quarantined q -> failedPrecondition(q.reason(), "event " + q.eventId(), q.why());
      case Refusal.NotServed n -> notFound(n.kind(), n.id(), n.message());
      case Refusal.Unavailable u -> unavailable(u.message());
      case Refusal.Unauthenticated u -> unauthenticated(u.message());
      case Refusal.Conflict c -> failedPrecondition(c.code(), c.subject(), c.message());
    };
  }

  public static BadRequest.FieldViolation violation(String field, String description) {
    return BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description).build();
  }

  /** INVALID_ARGUMENT naming every bad field. */
  public static StatusRuntimeException invalidArguments(List<BadRequest.FieldViolation> violations) {
    String message = violations.size() == 1
        ? violations.get(0).getField() + ": " + violations.get(0).getDescription()
        : violations.size() + " invalid fields, first " + violations.get(0).getField() + ": "
            + violations.get(0).getDescription();
    return build(Code.INVALID_ARGUMENT, message, errorInfo("INVALID_ARGUMENT", Map.of()),
        BadRequest.newBuilder().addAllFieldViolations(violations).build());
  }

  public static StatusRuntimeException notFound(String resourceType, String resourceName, String description) {
    return build(Code.NOT_FOUND, description, errorInfo("NOT_FOUND", Map.of()),
        ResourceInfo.newBuilder().setResourceType(resourceType).setResourceName(resourceName)
            .setDescription(description).build());
  }

  /** ABORTED, e.g. a stale stream version; {@code metadata} carries what the caller needs to retry. */
  public static StatusRuntimeException aborted(String reason, String description, Map<String, String> metadata) {
    return build(Code.ABORTED, description, errorInfo(reason, metadata));
  }

  public static StatusRuntimeException failedPrecondition(String type, String subject, String description) {
    return build(Code.FAILED_PRECONDITION, description, errorInfo(type, Map.of()),
        PreconditionFailure.newBuilder().addViolations(PreconditionFailure.Violation.newBuilder()
            .setType(type).setSubject(subject).setDescription(description)).build());
  }

  public static StatusRuntimeException alreadyExists(String resourceType, String resourceName, String description) {
    return build(Code.ALREADY_EXISTS, description, errorInfo("ALREADY_EXISTS", Map.of()),
        ResourceInfo.newBuilder().setResourceType(resourceType).setResourceName(resourceName)
            .setDescription(description).build());
  }

  public static StatusRuntimeException permissionDenied(String reason, String description) {
    return build(Code.PERMISSION_DENIED, description, errorInfo(reason, Map.of()));
  }

  /** PERMISSION_DENIED whose {@code metadata} names what is missing (a role, a branch, an event type). */
  public static StatusRuntimeException permissionDenied(String reason, String description,
      Map<String, String> metadata) {
    return build(Code.PERMISSION_DENIED, description, errorInfo(reason, metadata));
  }

  public static StatusRuntimeException unauthenticated(String description) {
    return build(Code.UNAUTHENTICATED, description, errorInfo("UNAUTHENTICATED", Map.of()));
  }

  /** UNAUTHENTICATED with a machine-readable reason (a missing, expired or revoked credential). */
  public static StatusRuntimeException unauthenticated(String reason, String description) {
    return build(Code.UNAUTHENTICATED, description, errorInfo(reason, Map.of()));
  }

  /** RESOURCE_EXHAUSTED: a limit of this server was reached (a slow reader, a request too large). */
  public static StatusRuntimeException resourceExhausted(String reason, String description) {
    return build(Code.RESOURCE_EXHAUSTED, description, errorInfo(reason, Map.of()));
  }

  public static StatusRuntimeException unavailable(String description) {
    return build(Code.UNAVAILABLE, description, errorInfo("UNAVAILABLE", Map.of()));
  }

  /** INTERNAL without internals: the description is for the caller, the cause stays in our logs. */
  public static StatusRuntimeException internal(String description) {
    return build(Code.INTERNAL, description, errorInfo("INTERNAL", Map.of()));
  }

  private static ErrorInfo errorInfo(String reason, Map<String, String> metadata) {
    return ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason).putAllMetadata(metadata).build();
  }

  private static StatusRuntimeException build(Code code, String message, com.google.protobuf.Message... details) {
    Status.Builder s = Status.newBuilder().setCode(code.getNumber()).setMessage(message);
    for (var d : details) {
      s.addDetails(Any.pack(d));
    }
    return StatusProto.toStatusRuntimeException(s.build());
  }

  /** The {@code google.rpc.Status} carried by a gRPC failure (with its details), or one built from its code. */
  public static Status statusOf(Throwable t) {
    Status s = StatusProto.fromThrowable(t);
    if (s != null) {
      return s;
    }
    io.grpc.Status g = io.grpc.Status.fromThrowable(t);
    return Status.newBuilder().setCode(g.getCode().value())
        .setMessage(g.getDescription() == null ? "" : g.getDescription()).build();
  }

  /** The detail of type {@code type} in a status, if present. */
  public static <T extends com.google.protobuf.Message> Optional<T> detail(Status status, Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }
}
