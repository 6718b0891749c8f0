package com.cps.dcs.query;

import com.cps.dcs.service.config.ParentWatch;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot entry point: Actuator and Prometheus on the management port 9054, QueryProtocol on DCS_GRPC_PORT.
 * {@code --rebuild} truncates the projections, replays the PostgreSQL event store and exits.
 */
@SpringBootApplication
public class QueryServiceApplication {

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--rebuild")) {
      String url = System.getenv().getOrDefault("DCS_PG_URL", "jdbc:postgresql://localhost:5432/dcs");
      long n = QueryService.rebuild(url, System.getenv().getOrDefault("DCS_EVENT_STORE_BYTES_COLUMN", "event_bytes"));
      System.out.println("rebuilt the projections from " + n + " events");
      return;
    }
    try {
      QueryConfig.fromEnv(System.getenv()); // fail fast with a clear message before Spring starts
    } catch (IllegalStateException e) {
      System.err.println("query-service: " + e.getMessage());
      System.exit(2);
    }
    Map<String, Object> defaults = new HashMap<>();
    defaults.put("server.port", System.getenv().getOrDefault("DCS_MANAGEMENT_PORT", "9054"));
    // Loopback unless configured: health and metrics are for the machine's own monitoring (compose sets 0.0.0.0).
    defaults.put("server.address", System.getenv().getOrDefault("DCS_MANAGEMENT_ADDRESS", "127.0.0.1"));
    defaults.put("management.endpoints.web.exposure.include", "health,info,prometheus,metrics");
    SpringApplication app = new SpringApplication(QueryServiceApplication.class);
    app.setDefaultProperties(defaults);
    ParentWatch.fromEnvironment(System.getenv());
    app.run(args);
  }

  @Bean(destroyMethod = "close")
  QueryService queryService(MeterRegistry registry) {
    return QueryService.start(QueryConfig.fromEnv(System.getenv()), registry, InstantSource.system());
  }
}
