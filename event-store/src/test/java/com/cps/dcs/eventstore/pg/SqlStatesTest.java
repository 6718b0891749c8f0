package com.cps.dcs.eventstore.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlStatesTest {
  static SQLException state(String s) {
    return new SQLException("x", s);
  }

  @Test
  void onlyWhatARetryCanFixIsTransient() {
    for (String s : new String[] {"08006", "08001", "40001", "40P01", "57P01", "53100"}) {
      assertThat(SqlStates.isTransient(state(s))).as(s).isTrue();
    }
    assertThat(SqlStates.isTransient(state(null))).isTrue();
    assertThat(SqlStates.isTransient(new SQLTransientConnectionException("pool timeout", "HY000"))).isTrue();
    for (String s : new String[] {"22021", "22003", "23514", "23505", "54000", "42501", "42P01"}) {
      assertThat(SqlStates.isTransient(state(s))).as(s).isFalse();
    }
  }

  @Test
  void dataIntegrityAndLimitErrorsAreRefusalsOfTheContentButADuplicateIsNot() {
    for (String s : new String[] {"22021", "22003", "22008", "23514", "23502", "54000"}) {
      assertThat(SqlStates.isContentRefusal(state(s))).as(s).isTrue();
    }
    for (String s : new String[] {"23505", "08006", "40001", "42501"}) {
      assertThat(SqlStates.isContentRefusal(state(s))).as(s).isFalse();
    }
    assertThat(SqlStates.isContentRefusal(state(null))).isFalse();
  }

  @Test
  void describeKeepsTheFirstLineOfTheInnermostMessage() {
    SQLException batch = new SQLException("Batch entry 0 INSERT ... was aborted", "22003");
    batch.setNextException(new SQLException("ERROR: bigint out of range\n  Detail: a whole row", "22003"));
    assertThat(SqlStates.describe(batch)).isEqualTo("ERROR: bigint out of range");
    assertThat(SqlStates.describe(new SQLException("x".repeat(400)))).hasSize(303);
  }

  @Test
  void printableEscapesControlCharactersAndLoneSurrogatesOnly() {
    assertThat(SqlStates.printable("a\u0000b")).isEqualTo("a\\u0000b");
    assertThat(SqlStates.printable("caf\u00e9 \ud83d\ude00")).isEqualTo("caf\u00e9 \ud83d\ude00");
    assertThat(SqlStates.printable("x\ud800y")).isEqualTo("x\\ud800y");
    assertThat(SqlStates.printable("id\u202e")).isEqualTo("id\\u202e");
    assertThat(SqlStates.printable("plain")).isSameAs("plain");
  }
}
