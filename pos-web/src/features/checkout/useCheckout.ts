import { useMutation } from "@tanstack/react-query";
import { checkout } from "./checkout";

/** A checkout as a mutation: it never fails, it answers a receipt, "queued" or the agent's refusal. */
export function useCheckout() {
  return useMutation({ mutationFn: checkout });
}
