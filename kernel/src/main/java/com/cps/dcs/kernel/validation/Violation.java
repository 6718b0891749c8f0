package com.cps.dcs.kernel.validation;

import java.util.Objects;

/**
 * One refused field of an input: its path as the caller wrote it ({@code lines[2].quantity},
 * {@code causal_context.hlc.physical_ms}) and why it was refused. Services turn a list of these into
 * {@code INVALID_ARGUMENT} with a {@code google.rpc.BadRequest} detail.
 */
public record Violation(String field, String description) {
  public Violation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(description, "description");
  }
}
