import { useMutation, useQueryClient } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";
import { receiptKeys } from "../../receipts";

export interface RefundFields {
  saleId: string;
  lines: { productId: string; quantity: bigint }[]; // none: the whole sale
  approval?: { managerId: string; pin: string };
}

/** Refunds an earlier sale, whole or per line, under a fresh refund id; receipts read before are stale after it. */
export function useRefund(sessionToken: string) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (fields: RefundFields) => pos.refund({ sessionToken, refundId: crypto.randomUUID(), ...fields }),
    onSuccess: () => queries.invalidateQueries({ queryKey: receiptKeys.all }),
  });
}
