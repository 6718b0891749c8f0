import { ConnectError } from "@connectrpc/connect";

/** What the agent said, as the cashier sees it (without the gRPC code prefix). */
export function errorMessage(e: unknown): string {
  return ConnectError.from(e).rawMessage;
}
