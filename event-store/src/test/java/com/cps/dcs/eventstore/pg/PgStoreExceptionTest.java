package com.cps.dcs.eventstore.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PgStoreExceptionTest {
  @Test
  void anSqlExceptionLeavesUncheckedWithItsStateMessageAndWhetherToRetry() {
    SQLException away = new SQLException("connection refused", "08001");
    assertThatThrownBy(() -> PgStoreException.unchecked(() -> {
      throw away;
    })).isInstanceOfSatisfying(PgStoreException.class, e -> {
      assertThat(e.getMessage()).isEqualTo("connection refused");
      assertThat(e.sqlState()).isEqualTo("08001");
      assertThat(e.isTransient()).isTrue();
      assertThat(e.getCause()).isSameAs(away);
    });
    PgStoreException denied = new PgStoreException(new SQLException("permission denied", "42501"));
    assertThat(denied.isTransient()).isFalse();
    assertThat(PgStoreException.unchecked(() -> 42)).isEqualTo(42);
  }
}
