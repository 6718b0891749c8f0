// Sign in and out, and the signed-in cashier's session (kept in this tab only).
export { useSession, type Session } from "./store";
export { SignInScreen } from "./SignInScreen";
export { useSignOut } from "./api/signOut";
