import { useMutation } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";
import { useSession, type Session } from "../store";

/**
 * Signs out at once on this till; the agent is told on the side (if it cannot be reached, its session simply
 * expires there).
 */
export function useSignOut(): (session: Session) => void {
  const end = useSession((s) => s.signOut);
  const tellAgent = useMutation({ mutationFn: (sessionToken: string) => pos.signOut({ sessionToken }) });
  return (session) => {
    tellAgent.mutate(session.token);
    end();
  };
}
