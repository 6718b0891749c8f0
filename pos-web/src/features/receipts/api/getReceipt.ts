import { useQueryClient } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";
import type { Receipt } from "../../../gen/cps/enterprise/pos/v1/pos_pb";

export const receiptKeys = {
  all: ["receipt"] as const,
  byNumber: (sessionToken: string, receiptNumber: string) => ["receipt", sessionToken, receiptNumber] as const,
};

/** Finds an earlier sale's receipt by its number, always as the agent has it now (what was refunded since). */
export function useFindReceipt(sessionToken: string): (receiptNumber: string) => Promise<Receipt> {
  const queries = useQueryClient();
  return (receiptNumber) =>
    queries.fetchQuery({
      queryKey: receiptKeys.byNumber(sessionToken, receiptNumber),
      queryFn: ({ signal }) => pos.getReceipt({ sessionToken, receiptNumber }, { signal }),
      staleTime: 0,
    });
}
