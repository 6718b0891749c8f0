package com.cps.dcs.service.auth;

import com.cps.dcs.proto.v4.EventType;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which event types a call of an RPC touches, for the event type scope of its caller (integrators): none (not about
 * events), every type (an event whose type is only known from the answer), or the types a request names (an
 * event's type, a filter; an empty filter means every type).
 */
public final class EventTypeRule {
  private static final EventTypeRule NONE = new EventTypeRule(Kind.NONE, "", null, null);
  private static final EventTypeRule ANY = new EventTypeRule(Kind.EVERY_TYPE, "", null, null);

  /** The kinds of rule. */
  public enum Kind {
    NONE,
    EVERY_TYPE,
    FIELD
  }

  private final Kind kind;
  private final String field;
  private final Class<?> type;
  private final Function<Object, Optional<Set<EventType>>> read;

  private EventTypeRule(Kind kind, String field, Class<?> type, Function<Object, Optional<Set<EventType>>> read) {
    this.kind = kind;
    this.field = field;
    this.type = type;
    this.read = read;
  }

  public static EventTypeRule none() {
    return NONE;
  }

  /** Any event type may be in the answer: the caller needs every type. */
  public static EventTypeRule everyType() {
    return ANY;
  }

  /** The type of the one event the request carries. */
  public static <Q> EventTypeRule field(Class<Q> type, String field, Function<Q, EventType> eventType) {
    Objects.requireNonNull(eventType);
    return new EventTypeRule(Kind.FIELD, field, type, m -> Optional.of(Set.of(eventType.apply(type.cast(m)))));
  }

  /** A filter of types; an empty filter means every type. */
  public static <Q> EventTypeRule filter(Class<Q> type, String field,
      Function<Q, ? extends Collection<EventType>> filter) {
    Objects.requireNonNull(filter);
    return new EventTypeRule(Kind.FIELD, field, type, m -> {
      Collection<EventType> named = filter.apply(type.cast(m));
      return named.isEmpty() ? Optional.empty() : Optional.of(EnumSet.copyOf(named));
    });
  }

  public Kind kind() {
    return kind;
  }

  public String field() {
    return field;
  }

  /**
   * The types {@code request} names, or empty for every type.
   *
   * @throws IllegalStateException when the message is not of the RPC's request type (a table error)
   */
  public Optional<Set<EventType>> typesOf(Object request) {
    return switch (kind) {
      case NONE -> Optional.of(Set.of());
      case EVERY_TYPE -> Optional.empty();
      case FIELD -> {
        if (!type.isInstance(request)) {
          throw new IllegalStateException("the event type rule reads " + type.getName() + ", got "
              + (request == null ? "null" : request.getClass().getName()));
        }
        yield read.apply(request);
      }
    };
  }

  public String describe() {
    return switch (kind) {
      case NONE -> "-";
      case EVERY_TYPE -> "every type";
      case FIELD -> field;
    };
  }
}
