package com.cps.dcs.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresIT {
  @Test
  void givesEachTestAFreshDatabaseWhereRolesAndTablesCanBeCreated() throws Exception {
    Postgres pg = Postgres.shared();
    String url = pg.createDatabase("pgit");
    try (Connection c = pg.connect(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id int primary key)");
      s.execute("INSERT INTO t VALUES (1), (2)");
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgit_role') "
          + "THEN CREATE ROLE pgit_role NOLOGIN; END IF; END $$");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
      try (ResultSet rs = s.executeQuery("SELECT current_database()")) {
        rs.next();
        assertThat(url).contains(rs.getString(1));
      }
    }
    String other = pg.createDatabase("pgit");
    assertThat(other).isNotEqualTo(url);
  }
}
