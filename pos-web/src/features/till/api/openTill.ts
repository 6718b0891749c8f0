import { useMutation, useQueryClient } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";
import { tillKeys } from "./getCurrentTill";

/** Opens the session's till with the cash counted into it; the opened till becomes the current one. */
export function useOpenTill(sessionToken: string) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (openingCashMinor: bigint) => pos.openTill({ sessionToken, openingCashMinor }),
    onSuccess: (till) => queries.setQueryData(tillKeys.current(sessionToken), till),
  });
}
