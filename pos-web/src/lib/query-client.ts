import { QueryClient } from "@tanstack/react-query";

// The till asks the agent exactly when a screen needs it, as it always did: no automatic retries (a failed call is
// shown to the cashier, or is the answer, e.g. "no till open"), and no refetching on window focus or reconnect, which
// would flip screens (a till query failing while the agent is away would show "Open till").
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}
