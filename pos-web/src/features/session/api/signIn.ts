import { useMutation } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";
import { Role } from "../../../gen/cps/enterprise/pos/v1/pos_pb";
import { useSession } from "../store";

export interface SignInFields {
  cashierId: string;
  pin: string;
  tillId: string;
}

/** Signs a cashier in at a till; on success the session (token, name, role, branch) is the signed-in one. */
export function useSignIn() {
  const start = useSession((s) => s.signIn);
  return useMutation({
    mutationFn: (fields: SignInFields) => pos.signIn(fields),
    onSuccess: (r) =>
      start({ token: r.sessionToken, cashierId: r.cashierId, displayName: r.displayName,
        manager: r.role === Role.MANAGER, branchId: r.branchId, currency: r.currency }),
  });
}
