import { useMutation } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";

/**
 * Closes the session's till with the cash counted in it; the agent answers expected, counted and the difference.
 * The current-till query is left as it is, so the report stays on screen until the cashier moves on.
 */
export function useCloseTill(sessionToken: string) {
  return useMutation({
    mutationFn: (countedCashMinor: bigint) => pos.closeTill({ sessionToken, countedCashMinor }),
  });
}
