package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link VaultTransitKekProvider} against Vault's documented Transit HTTP API ({@code POST
 * /v1/transit/encrypt/:name} and {@code /v1/transit/decrypt/:name}, {@code X-Vault-Token}, JSON bodies with base64
 * plaintext and {@code vault:v1:} ciphertexts, 400 on bad ciphertext) served by a small local HTTP server inside this
 * test, because no Vault binary can be installed on this machine. The server keeps its own AES key, so the provider
 * never sees the KEK, as with a real Vault.
 */
class VaultTransitKekProviderAgainstLocalHttpApiTest {
  private HttpServer server;
  private final byte[] transitKey = new byte[32];
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    new java.security.SecureRandom().nextBytes(transitKey);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/transit/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
    if (!"s.test-token".equals(ex.getRequestHeaders().getFirst("X-Vault-Token"))) {
      reply(ex, 403, "{\"errors\":[\"permission denied\"]}");
      return;
    }
    try {
      if (ex.getRequestURI().getPath().equals("/v1/transit/encrypt/dcs-t1")) {
        byte[] plain = Base64.getDecoder().decode(field(body, "plaintext"));
        byte[] iv = new byte[12];
        new java.security.SecureRandom().nextBytes(iv);
        byte[] ct = aes(Cipher.ENCRYPT_MODE, iv, plain);
        byte[] all = new byte[12 + ct.length];
        System.arraycopy(iv, 0, all, 0, 12);
        System.arraycopy(ct, 0, all, 12, ct.length);
        reply(ex, 200, "{\"data\":{\"ciphertext\":\"vault:v1:" + Base64.getEncoder().encodeToString(all)
            + "\",\"key_version\":1}}");
      } else if (ex.getRequestURI().getPath().equals("/v1/transit/decrypt/dcs-t1")) {
        String ciphertext = field(body, "ciphertext");
        byte[] all = Base64.getDecoder().decode(ciphertext.substring("vault:v1:".length()));
        byte[] iv = java.util.Arrays.copyOf(all, 12);
        byte[] plain = aes(Cipher.DECRYPT_MODE, iv, java.util.Arrays.copyOfRange(all, 12, all.length));
        reply(ex, 200, "{\"data\":{\"plaintext\":\"" + Base64.getEncoder().encodeToString(plain) + "\"}}");
      } else {
        reply(ex, 404, "{\"errors\":[]}");
      }
    } catch (Exception e) {
      reply(ex, 400, "{\"errors\":[\"invalid ciphertext: unable to decrypt\"]}");
    }
  }

  private byte[] aes(int mode, byte[] iv, byte[] data) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(transitKey, "AES"), new GCMParameterSpec(128, iv));
    return c.doFinal(data);
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("missing " + name);
    }
    return m.group(1);
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  private String addr() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void wrapsThroughTransitEncryptAndUnwrapsThroughTransitDecrypt() {
    VaultTransitKekProvider vault = new VaultTransitKekProvider(addr(), "s.test-token", "dcs-t1");
    byte[] dataKey = new byte[32];
    dataKey[0] = 42;
    byte[] wrapped = vault.wrap(dataKey);
    assertThat(new String(wrapped, StandardCharsets.UTF_8)).startsWith("vault:v1:");
    assertThat(vault.unwrap(wrapped, "vault:dcs-t1")).isEqualTo(dataKey);
    assertThat(requests).containsExactly("POST /v1/transit/encrypt/dcs-t1", "POST /v1/transit/decrypt/dcs-t1");
  }

  @Test
  void anEnvelopeSealedThroughVaultOpensAndRefusesAlteredWrappedKeys() {
    EnvelopeSealer sealer = new EnvelopeSealer(new VaultTransitKekProvider(addr(), "s.test-token", "dcs-t1"));
    var payload = sealer.seal("secret".getBytes(), "id-1".getBytes());
    assertThat(payload.getKmsKeyId()).isEqualTo("vault:dcs-t1");
    assertThat(new String(sealer.open(payload, "id-1".getBytes()))).isEqualTo("secret");
    byte[] dek = payload.getEncryptedDek().toByteArray();
    dek[dek.length - 3] ^= 1;
    var altered = payload.toBuilder().setEncryptedDek(com.google.protobuf.ByteString.copyFrom(dek)).build();
    assertThatThrownBy(() -> sealer.open(altered, "id-1".getBytes())).isInstanceOf(IntegrityException.class);
  }

  @Test
  void aWrongTokenIsAClearFailure() {
    VaultTransitKekProvider vault = new VaultTransitKekProvider(addr(), "wrong", "dcs-t1");
    assertThatThrownBy(() -> vault.wrap(new byte[32])).hasMessageContaining("transit/encrypt/dcs-t1");
  }
}
