package com.cps.dcs.kernel.crypto;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A KEK kept by HashiCorp Vault's Transit secrets engine: data keys are wrapped with {@code transit/encrypt/<key>}
 * and unwrapped with {@code transit/decrypt/<key>}; the KEK never leaves Vault. The wrapped form is Vault's
 * ciphertext string ({@code vault:v1:...}), which also records the key version for rotation.
 */
public final class VaultTransitKekProvider implements KeyEncryptionKeyProvider {
  private final Vault vault;
  private final String transitKey;

  public VaultTransitKekProvider(String vaultAddr, String token, String transitKey) {
    try {
      VaultConfig config = new VaultConfig().address(vaultAddr).token(token).engineVersion(1).build();
      this.vault = Vault.create(config);
    } catch (VaultException e) {
      throw new IllegalArgumentException("bad Vault configuration for " + vaultAddr + ": " + e.getMessage(), e);
    }
    this.transitKey = transitKey;
  }

  @Override
  public String keyId() {
    return "vault:" + transitKey;
  }

  @Override
  public byte[] wrap(byte[] dataKey) {
    Map<String, Object> body = Map.of("plaintext", Base64.getEncoder().encodeToString(dataKey));
    String ciphertext = call("transit/encrypt/" + transitKey, body, "ciphertext");
    return ciphertext.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, String wrappedKeyId) {
    if (!keyId().equals(wrappedKeyId)) {
      throw new IntegrityException("key", "data key was wrapped by '" + wrappedKeyId + "', this KEK is '" + keyId() + "'");
    }
    Map<String, Object> body = Map.of("ciphertext", new String(wrapped, StandardCharsets.UTF_8));
    String plaintext = call("transit/decrypt/" + transitKey, body, "plaintext");
    try {
      return Base64.getDecoder().decode(plaintext);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("key", "Vault returned a plaintext that is not base64");
    }
  }

  private String call(String path, Map<String, Object> body, String field) {
    LogicalResponse response;
    try {
      response = vault.logical().write(path, body);
    } catch (VaultException e) {
      if (e.getHttpStatusCode() == 400) {
        throw new IntegrityException("key", "Vault refused " + path + " (altered or foreign ciphertext)", e);
      }
      throw new IllegalStateException("Vault " + path + " failed: " + e.getMessage(), e);
    }
    int status = response.getRestResponse().getStatus();
    if (status == 400) {
      throw new IntegrityException("key", "Vault refused " + path + " (altered or foreign ciphertext)");
    }
    if (status < 200 || status >= 300) {
      throw new IllegalStateException("Vault " + path + " answered HTTP " + status);
    }
    String value = response.getData().get(field);
    if (value == null) {
      throw new IllegalStateException("Vault " + path + " answered without '" + field + "'");
    }
    return value;
  }
}
