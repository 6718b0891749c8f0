import { useQuery } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";

export const tillKeys = {
  current: (sessionToken: string) => ["till", "current", sessionToken] as const,
};

/** The till open for this session; an error means none is open (or the agent cannot say), so the cashier opens one. */
export function useCurrentTill(sessionToken: string) {
  return useQuery({
    queryKey: tillKeys.current(sessionToken),
    queryFn: ({ signal }) => pos.getCurrentTill({ sessionToken }, { signal }),
  });
}
