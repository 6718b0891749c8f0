package com.cps.dcs.service.auth;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which branches a call of an RPC touches, for the branch scope of its caller: none (the RPC is not about a branch),
 * every branch (a listing across branches), or the branch ids a request field names, read from each request message
 * by a small extractor. An empty id means the branch the server serves, or every branch on a server that serves
 * several (a region, the query service).
 */
public final class BranchRule {
  private static final BranchRule NONE = new BranchRule(Kind.NONE, "", null, null);
  private static final BranchRule EVERY = new BranchRule(Kind.EVERY_BRANCH, "", null, null);

  /** The kinds of rule. */
  public enum Kind {
    NONE,
    EVERY_BRANCH,
    FIELD
  }

  private final Kind kind;
  private final String field;
  private final Class<?> type;
  private final Function<Object, List<String>> read;

  private BranchRule(Kind kind, String field, Class<?> type, Function<Object, List<String>> read) {
    this.kind = kind;
    this.field = field;
    this.type = type;
    this.read = read;
  }

  /** The RPC is not about one branch (agent messaging, health). */
  public static BranchRule none() {
    return NONE;
  }

  /** The RPC covers every branch (a listing without a branch field): the caller needs every branch. */
  public static BranchRule everyBranch() {
    return EVERY;
  }

  /** The branch is one string field of the request. */
  public static <Q> BranchRule field(Class<Q> type, String field, Function<Q, String> branch) {
    Objects.requireNonNull(branch);
    return new BranchRule(Kind.FIELD, field, type, m -> List.of(branch.apply(type.cast(m))));
  }

  /** The branches are several fields of the request (each event of a batch): the caller needs all of them. */
  public static <Q> BranchRule fields(Class<Q> type, String field, Function<Q, List<String>> branches) {
    Objects.requireNonNull(branches);
    return new BranchRule(Kind.FIELD, field, type, m -> List.copyOf(branches.apply(type.cast(m))));
  }

  public Kind kind() {
    return kind;
  }

  /** The request field, as docs and error details name it ({@code branch_id}); empty when not a field rule. */
  public String field() {
    return field;
  }

  /**
   * The branch ids {@code request} names ({@code ""} for an empty field).
   *
   * @throws IllegalStateException when the message is not of the RPC's request type (a table error)
   */
  public List<String> branchesOf(Object request) {
    if (kind != Kind.FIELD) {
      return List.of();
    }
    if (!type.isInstance(request)) {
      throw new IllegalStateException("the branch rule reads " + type.getName() + ", got "
          + (request == null ? "null" : request.getClass().getName()));
    }
    return read.apply(request);
  }

  /** A short text for docs: {@code branch_id}, {@code every branch} or {@code -}. */
  public String describe() {
    return switch (kind) {
      case NONE -> "-";
      case EVERY_BRANCH -> "every branch";
      case FIELD -> field;
    };
  }
}
