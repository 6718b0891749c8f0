package com.cps.dcs.localagent;

import com.cps.dcs.kernel.chain.ChainVerification;
import com.cps.dcs.kernel.chain.HashChainVerifier;
import com.cps.dcs.localagent.config.LocalAgentSettings;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.config.ParentWatch;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The branch's local agent. {@code java -jar local-agent.jar} serves; {@code java -jar local-agent.jar verify-chain}
 * walks the branch's hash chain, names the first broken link and exits 0 (intact) or 2 (broken).
 */
@SpringBootApplication
public class LocalAgentApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("verify-chain")) {
      System.exit(verifyChain(LocalAgentSettings.from(System.getenv()::get)));
    }
    ParentWatch.fromEnvironment(System.getenv());
    SpringApplication.run(LocalAgentApplication.class, args);
  }

  static int verifyChain(LocalAgentSettings settings) {
    List<SovereignFinancialEvent> own = LocalStore.ownEventsIn(settings.dbPath());
    ChainVerification v = HashChainVerifier.verify(own);
    if (v.intact()) {
      System.out.println("hash chain intact: " + v.checked() + " events of " + settings.agentId() + " in "
          + settings.dbPath());
      return 0;
    }
    System.out.println("hash chain BROKEN at event " + v.firstBrokenEventId() + " (position " + v.firstBrokenIndex()
        + "): " + v.reason());
    return 2;
  }
}
