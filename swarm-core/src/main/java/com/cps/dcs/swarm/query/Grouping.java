package com.cps.dcs.swarm.query;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/** The periods of a sales report ({@code group_by}), in UTC. */
public enum Grouping {
  /** {@code 2026-11-22T10:00Z} */
  HOUR("hour"),
  /** {@code 2026-11-22} */
  DAY("day"),
  /** {@code 2026-11-16/week}: the week's Monday */
  WEEK("week"),
  /** {@code 2026-11} */
  MONTH("month");

  private final String wireName;

  Grouping(String wireName) {
    this.wireName = wireName;
  }

  /** The grouping a {@code group_by} names ({@code ""} means day), or empty when it names none. */
  public static Optional<Grouping> parse(String groupBy) {
    if (groupBy.isEmpty()) {
      return Optional.of(DAY);
    }
    for (Grouping g : values()) {
      if (g.wireName.equals(groupBy)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** The label of the period that holds {@code at}. */
  public String period(Instant at) {
    ZonedDateTime t = at.atZone(ZoneOffset.UTC);
    return switch (this) {
      case HOUR -> t.truncatedTo(ChronoUnit.HOURS).toString().substring(0, 13) + ":00Z";
      case DAY -> t.toLocalDate().toString();
      case WEEK -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) + "/week";
      case MONTH -> t.toLocalDate().withDayOfMonth(1).toString().substring(0, 7);
    };
  }
}
