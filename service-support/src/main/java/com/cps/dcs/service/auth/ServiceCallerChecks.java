package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.InMemoryRevocationSet;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a service installs its {@link CallerInterceptor}: from its key folder (the tenant's token key, the public file
 * alone being enough) and its settings ({@code DCS_ADMIN_TOKEN}), whether they come from the process environment or
 * a Spring environment. Revocations are kept in memory for now (nothing revokes yet: the admin RPC is to come).
 */
public final class ServiceCallerChecks {
  private static final Logger log = LoggerFactory.getLogger(ServiceCallerChecks.class);

  private ServiceCallerChecks() {
  }

  /**
   * @param settings the service's settings ({@link BootstrapAdmin#ENV} is read from it)
   * @param keyDir the service's key folder
   * @param servedBranch the branch a local agent serves; empty on a region or the query service
   * @throws IllegalArgumentException when {@code DCS_ADMIN_TOKEN} is set but not a valid secret: the service must
   *     not start
   */
  public static CallerInterceptor install(java.util.function.Function<String, String> settings, Path keyDir,
      String tenantId, Optional<String> servedBranch, InstantSource clock) {
    Map<String, String> env = new HashMap<>();
    env.put("DCS_KEY_DIR", keyDir.toString());
    String admin = settings.apply(BootstrapAdmin.ENV);
    if (admin != null) {
      env.put(BootstrapAdmin.ENV, admin);
    }
    CallerInterceptor checks = CallerInterceptor.forService(env, tenantId, servedBranch,
        new InMemoryRevocationSet(clock), clock);
    log.info("every RPC but health, reflection and PosService checks its caller: tokens of tenant {} (key in {}),"
        + " bootstrap admin {}", tenantId, keyDir,
        admin == null || admin.isEmpty() ? "not set (DCS_ADMIN_TOKEN unset)" : "set (DCS_ADMIN_TOKEN)");
    return checks;
  }
}
