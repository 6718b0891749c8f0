import { useState } from "react";
import { useWindowKeyDown } from "../lib/keyboard";
import type { Receipt } from "../gen/cps/enterprise/pos/v1/pos_pb";
import { ReceiptScreen } from "../features/receipts";
import { RefundScreen } from "../features/refund";
import { SellScreen } from "../features/sale";
import { useSignOut, type Session } from "../features/session";
import { SyncIndicator } from "../features/sync";
import { CloseTillScreen } from "../features/till";

type Screen = "sell" | "receipt" | "refund" | "close";

/** The header and the screens of an open till: Esc sells, F9 refunds, F10 closes the till. */
export function TillScreens({ session }: { session: Session }) {
  const [screen, setScreen] = useState<Screen>("sell");
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const signOut = useSignOut();
  useWindowKeyDown((e) => {
    if (e.key === "F9") { e.preventDefault(); setScreen("refund"); }
    if (e.key === "F10") { e.preventDefault(); setScreen("close"); }
    if (e.key === "Escape") setScreen("sell");
  });
  return (
    <>
      <header>
        <strong>DCS POS</strong>
        <span>{session.branchId}</span>
        <span>{session.displayName}</span>
        <span className="spacer" />
        <SyncIndicator session={session} />
        <button onClick={() => setScreen("sell")}>Sell <kbd>Esc</kbd></button>
        <button onClick={() => setScreen("refund")}>Refund <kbd>F9</kbd></button>
        <button onClick={() => setScreen("close")}>Close till <kbd>F10</kbd></button>
        <button onClick={() => signOut(session)}>Sign out</button>
      </header>
      {screen === "sell" && <SellScreen session={session} onReceipt={(r) => { setReceipt(r); setScreen("receipt"); }} />}
      {screen === "receipt" && receipt && <ReceiptScreen receipt={receipt} onNext={() => setScreen("sell")} />}
      {screen === "refund" && <RefundScreen session={session} />}
      {screen === "close" && <CloseTillScreen session={session} />}
    </>
  );
}
