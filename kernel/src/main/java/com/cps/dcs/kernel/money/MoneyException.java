package com.cps.dcs.kernel.money;

/** An amount or currency that cannot be represented exactly. */
public final class MoneyException extends IllegalArgumentException {
  public MoneyException(String message) {
    super(message);
  }
}
