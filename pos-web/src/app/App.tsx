import { SignInScreen, useSession, type Session } from "../features/session";
import { OpenTillScreen, useCurrentTill } from "../features/till";
import { AppProvider } from "./provider";
import { TillScreens } from "./TillScreens";

// The shell: providers, then which screen the cashier is on. Signed out: sign in. Signed in without an open till
// (or while the agent cannot say): open one. Otherwise the till's own screens.
export function App() {
  return (
    <AppProvider>
      <Screens />
    </AppProvider>
  );
}

function Screens() {
  const session = useSession((s) => s.session);
  if (!session) return <SignInScreen />;
  return <SignedIn session={session} />;
}

function SignedIn({ session }: { session: Session }) {
  const till = useCurrentTill(session.token);
  if (till.isPending) return <p className="center">Loading…</p>;
  if (till.isError) return <OpenTillScreen session={session} />;
  return <TillScreens session={session} />;
}
