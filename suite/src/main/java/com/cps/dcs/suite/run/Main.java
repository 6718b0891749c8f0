package com.cps.dcs.suite.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of {@code suite/target/suite.jar}, run by {@code ./dcs}:
 * {@code run} (the whole suite on one machine), {@code demo [seconds]} (sales on both branches, one branch offline
 * for a while), {@code verify-chain [branch]} (walks a branch's hash chain), {@code quarantine [branch]} (what the
 * region quarantined and the query service dead-lettered).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "run" : args[0];
    RunConfig cfg;
    try {
      cfg = RunConfig.fromEnvironment();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    // Before the first logger: the log files go to the data dir (see logback.xml).
    System.setProperty("dcs.log.dir", cfg.logs.toString());
    System.setProperty("dcs.log.infra", command.equals("run") ? "infrastructure.log" : command + ".log");
    int code = switch (command) {
      case "run" -> new Launcher(cfg).run();
      case "demo" -> new Demo(cfg, args.length > 1 ? Integer.parseInt(args[1]) : 0).run();
      case "verify-chain" -> verifyChain(cfg, args.length > 1 ? args[1] : "branch-1");
      case "quarantine" -> new QuarantineReport(cfg, args.length > 1 ? args[1] : "", System.out).run();
      default -> {
        System.err.println("usage: ./dcs [run | demo [seconds] | verify-chain [branch] | quarantine [branch]]");
        yield 2;
      }
    };
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The local agent's own offline check, with the branch's folders and keys as ./dcs run gives them. */
  static int verifyChain(RunConfig cfg, String branchId) throws Exception {
    RunConfig.Branch b;
    try {
      b = cfg.branch(branchId);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "--enable-native-access=ALL-UNNAMED", "-jar",
        cfg.jar("local-agent").toString(), "verify-chain"));
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().remove("DCS_DB_PATH");
    pb.environment().put("DCS_DATA_DIR", cfg.data.resolve(b.id()).toString());
    pb.environment().put("DCS_KEY_DIR", cfg.keys.toString());
    pb.environment().put("DCS_BRANCH_ID", b.id());
    pb.environment().put("DCS_AGENT_ID", b.agentId());
    pb.environment().put("DCS_TENANT_ID", cfg.tenantId);
    return pb.start().waitFor();
  }
}
