package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.crypto.LocalKeyFiles;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.testsupport.TempDirs;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SaleSecretsTest {
  private final Path keys = TempDirs.create("sale-secrets");

  private SaleSecrets secrets(String tenant) {
    return new SaleSecrets(LocalKeyFiles.kek(keys, tenant), LocalKeyFiles.mac(keys, tenant));
  }

  @Test
  void aCustomerHasOneStablePseudonymPerTenantThatDoesNotRevealTheReference() {
    SaleSecrets a = secrets("tenant-a");
    assertThat(a.pseudonym("loyalty-0042")).isEqualTo(secrets("tenant-a").pseudonym("loyalty-0042"))
        .startsWith("cust-").doesNotContain("0042").isNotEqualTo(a.pseudonym("loyalty-0043"));
    assertThat(secrets("tenant-b").pseudonym("loyalty-0042")).isNotEqualTo(a.pseudonym("loyalty-0042"));
    assertThat(a.pseudonym("")).isEmpty();
    MetadataMac other = LocalKeyFiles.mac(keys, "tenant-a");
    assertThat(a.pseudonym("loyalty-0042")).as("derived, not the MAC key itself")
        .doesNotContain(other.sign("loyalty-0042".getBytes(StandardCharsets.UTF_8)).substring(0, 16));
  }

  @Test
  void tokensAreSealedToTheirSagaAndOpenOnlyThere() {
    SaleSecrets s = secrets("tenant-a");
    SaleSecrets.Open open = new SaleSecrets.Open(List.of("tok_4242424242424242", ""), "loyalty-0042");
    ByteString sealed = s.seal(open, "saga-1");
    assertThat(sealed.toStringUtf8()).doesNotContain("4242424242424242").doesNotContain("loyalty");
    assertThat(s.open(sealed, "saga-1")).isEqualTo(open);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.open(sealed, "saga-2"))
        .isInstanceOf(RuntimeException.class);
  }
}
