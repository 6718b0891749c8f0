import { useRef, useState } from "react";
import { useWindowKeyDown } from "../../lib/keyboard";
import { formatMinor, parseMinor } from "../../lib/money";
import type { Receipt } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { change, useCart } from "../cart";
import type { Session } from "../session";
import { tendersFor } from "./tenders";
import { useCheckout } from "./useCheckout";

interface Props {
  session: Session;
  note: string;
  onNote: (note: string) => void;
  onReceipt: (receipt: Receipt) => void;
}

/** Cash (F3), card, mobile, a manager's approval, the change due and Pay (F4); then the agent's answer. */
export function PaymentForm({ session, note, onNote, onReceipt }: Props) {
  const cart = useCart();
  const send = useCheckout();
  const [cash, setCash] = useState("");
  const [card, setCard] = useState("");
  const [cardToken, setCardToken] = useState("");
  const [mobile, setMobile] = useState("");
  const [manager, setManager] = useState({ id: "", pin: "" });
  const [busy, setBusy] = useState(false);
  const cashRef = useRef<HTMLInputElement>(null);

  const totals = cart.totals();
  const nonCash = (parseMinor(card) ?? 0n) + (parseMinor(mobile) ?? 0n);
  const changeDue = change(totals.totalMinor, nonCash, parseMinor(cash) ?? 0n);
  const clearTenders = () => { setCash(""); setCard(""); setMobile(""); };

  const pay = async () => {
    if (cart.lines.length === 0 || busy) return;
    setBusy(true);
    onNote("");
    const outcome = await send.mutateAsync({
      sessionToken: session.token,
      checkoutId: crypto.randomUUID(),
      lines: cart.lines.map((l) => ({ productId: l.product.productId, quantity: l.quantity, lineDiscountMinor: l.lineDiscountMinor })),
      cartDiscountMinor: cart.cartDiscountMinor,
      tenders: tendersFor({ cash, card, mobile, cardToken }, totals.totalMinor),
      approval: manager.id ? { managerId: manager.id, pin: manager.pin } : undefined,
    });
    setBusy(false);
    if (outcome.kind === "receipt") {
      cart.clear();
      clearTenders();
      setManager({ id: "", pin: "" });
      onReceipt(outcome.receipt);
    } else if (outcome.kind === "queued") {
      cart.clear();
      clearTenders();
      onNote("The agent is unreachable: the sale is kept on this till and will be sent as soon as it is back.");
    } else {
      onNote(outcome.message);
    }
  };

  useWindowKeyDown((e) => {
    if (e.key === "F3") { e.preventDefault(); cashRef.current?.focus(); }
    if (e.key === "F4") { e.preventDefault(); pay(); }
  });

  return (
    <>
      <div className="row">
        Cash <input ref={cashRef} name="cash" style={{ width: 90 }} value={cash} onChange={(e) => setCash(e.target.value)} placeholder="(F3)" />
        Card <input name="card" style={{ width: 80 }} value={card} onChange={(e) => setCard(e.target.value)} />
        Mobile <input name="mobile" style={{ width: 80 }} value={mobile} onChange={(e) => setMobile(e.target.value)} />
      </div>
      <div className="row">
        Card / wallet token <input name="card-token" value={cardToken} onChange={(e) => setCardToken(e.target.value)} />
      </div>
      <div className="row">
        Manager approval <input name="manager-id" style={{ width: 70 }} placeholder="id" value={manager.id}
          onChange={(e) => setManager({ ...manager, id: e.target.value })} />
        <input name="manager-pin" type="password" style={{ width: 70 }} placeholder="PIN" value={manager.pin}
          onChange={(e) => setManager({ ...manager, pin: e.target.value })} />
      </div>
      <p>{changeDue !== null && cash.trim() !== "" ? <span data-testid="change">Change {formatMinor(changeDue, session.currency)}</span> : ""}</p>
      <button className="primary" onClick={pay} disabled={busy || cart.lines.length === 0} data-testid="pay">Pay <kbd>F4</kbd></button>
      {note && <p className="error" role="alert">{note}</p>}
    </>
  );
}
