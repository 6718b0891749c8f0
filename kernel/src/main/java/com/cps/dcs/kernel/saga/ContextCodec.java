package com.cps.dcs.kernel.saga;

/** How a saga's context is persisted between steps. */
public interface ContextCodec<C> {
  byte[] encode(C context);

  C decode(byte[] bytes);
}
