package com.cps.dcs.query;

import com.cps.dcs.query.projection.ProjectionStore;
import com.cps.dcs.testsupport.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The read models of a database as text, to compare two databases exactly. */
public final class ReadModelDump {
  private ReadModelDump() {}

  /** Every projection table's rows, sorted, as text (the dedupe table's rows included). */
  public static String of(String url) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = Postgres.shared().connect(url); Statement s = c.createStatement()) {
      for (String t : ProjectionStore.TABLES) {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT * FROM " + t)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder r = new StringBuilder();
            for (int i = 1; i <= n; i++) {
              r.append(rs.getString(i)).append('|');
            }
            rows.add(r.toString());
          }
        }
        Collections.sort(rows);
        out.append(t).append('\n');
        rows.forEach(r -> out.append(r).append('\n'));
      }
    }
    return out.toString();
  }
}
