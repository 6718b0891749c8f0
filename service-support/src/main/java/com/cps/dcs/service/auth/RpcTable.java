package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.proto.v4.EventType;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one table of who may call what: full gRPC method name to {@link RpcRule}. An RPC that is not in the table is
 * denied to everyone ({@link #find} is empty). Filled for DCS by {@link DcsRpcTable}; read by the
 * {@link CallerInterceptor}.
 */
public final class RpcTable {
  private final Map<String, RpcRule> rules;

  private RpcTable(Map<String, RpcRule> rules) {
    this.rules = Collections.unmodifiableMap(rules);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The rule of {@code fullMethodName}: its own entry, else its service's when that is open as a whole. */
  public Optional<RpcRule> find(String fullMethodName) {
    RpcRule exact = rules.get(fullMethodName);
    if (exact != null) {
      return Optional.of(exact);
    }
    int slash = fullMethodName.indexOf('/');
    return slash < 0 ? Optional.empty() : Optional.ofNullable(rules.get(fullMethodName.substring(0, slash) + "/*"));
  }

  /** Every rule, in the order declared. */
  public Collection<RpcRule> rules() {
    return rules.values();
  }

  /** Declares the rules; each RPC once. */
  public static final class Builder {
    private final List<RuleBuilder<?>> pending = new ArrayList<>();
    private final List<RpcRule> done = new ArrayList<>();

    private Builder() {}

    /** A service anyone may call, every method of it (health, reflection). */
    public Builder openService(String serviceName, String note) {
      done.add(new RpcRule(serviceName + "/*", RpcRule.Check.OPEN, EnumSet.noneOf(Role.class), Access.READ,
          BranchRule.none(), EventTypeRule.none(), note));
      return this;
    }

    /**
     * An RPC open at the transport whose service checks the session token in the request body.
     *
     * @param serviceChecks the roles the service requires of the session, for the docs
     */
    public Builder sessionInBody(MethodDescriptor<?, ?> method, Access access, String note, Role... serviceChecks) {
      EnumSet<Role> roles = EnumSet.noneOf(Role.class);
      roles.addAll(List.of(serviceChecks));
      done.add(new RpcRule(method.getFullMethodName(), RpcRule.Check.SESSION_IN_BODY, roles, access,
          BranchRule.none(), EventTypeRule.none(), note));
      return this;
    }

    /** An RPC for bearer credentials with one of {@code roles} (admin is always added). */
    public <Q> RuleBuilder<Q> bearer(MethodDescriptor<Q, ?> method, Access access, Role... roles) {
      RuleBuilder<Q> b = new RuleBuilder<>(method, access, roles);
      pending.add(b);
      return b;
    }

    /** @throws IllegalStateException when an RPC is declared twice */
    public RpcTable build() {
      Map<String, RpcRule> all = new LinkedHashMap<>();
      List<RpcRule> rules = new ArrayList<>(done);
      pending.forEach(b -> rules.add(b.rule()));
      for (RpcRule r : rules) {
        if (all.putIfAbsent(r.method(), r) != null) {
          throw new IllegalStateException(r.method() + " is declared twice");
        }
      }
      return new RpcTable(all);
    }
  }

  /** The scope fields of one bearer RPC; {@code Q} is its request type. */
  public static final class RuleBuilder<Q> {
    private final String method;
    private final Class<Q> requestType;
    private final Access access;
    private final EnumSet<Role> roles = EnumSet.of(Role.ADMIN);
    private BranchRule branches = BranchRule.none();
    private EventTypeRule eventTypes = EventTypeRule.none();
    private String note = "";

    private RuleBuilder(MethodDescriptor<Q, ?> method, Access access, Role... roles) {
      this.method = method.getFullMethodName();
      this.requestType = requestType(method);
      this.access = access;
      this.roles.addAll(List.of(roles));
    }

    /** The branch is the request's string field {@code field}. */
    public RuleBuilder<Q> branch(String field, Function<Q, String> read) {
      branches = BranchRule.field(requestType, field, read);
      return this;
    }

    /** The branches are several fields of the request. */
    public RuleBuilder<Q> branches(String field, Function<Q, List<String>> read) {
      branches = BranchRule.fields(requestType, field, read);
      return this;
    }

    /** The RPC covers every branch. */
    public RuleBuilder<Q> everyBranch() {
      branches = BranchRule.everyBranch();
      return this;
    }

    /** The event type is the request's field {@code field}. */
    public RuleBuilder<Q> eventType(String field, Function<Q, EventType> read) {
      eventTypes = EventTypeRule.field(requestType, field, read);
      return this;
    }

    /** The event types are a filter of the request (empty: every type). */
    public RuleBuilder<Q> eventTypeFilter(String field, Function<Q, ? extends Collection<EventType>> read) {
      eventTypes = EventTypeRule.filter(requestType, field, read);
      return this;
    }

    /** Events of any type may be in the answer. */
    public RuleBuilder<Q> everyEventType() {
      eventTypes = EventTypeRule.everyType();
      return this;
    }

    public RuleBuilder<Q> note(String note) {
      this.note = note;
      return this;
    }

    RpcRule rule() {
      return new RpcRule(method, RpcRule.Check.BEARER, roles, access, branches, eventTypes, note);
    }

    @SuppressWarnings("unchecked")
    private static <Q> Class<Q> requestType(MethodDescriptor<Q, ?> method) {
      if (method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> p) {
        return (Class<Q>) p.getMessagePrototype().getClass();
      }
      throw new IllegalArgumentException(method.getFullMethodName() + " has no protobuf request type");
    }
  }
}
