import { useState, type FormEvent } from "react";
import { errorMessage } from "../../lib/errors";
import { formatMinor } from "../../lib/money";
import type { Receipt } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { useFindReceipt } from "../receipts";
import type { Session } from "../session";
import { useRefund } from "./api/refund";

/** Finds a sale by receipt number and refunds it, whole or per line; a manager approves. */
export function RefundScreen({ session }: { session: Session }) {
  const findReceipt = useFindReceipt(session.token);
  const refundSale = useRefund(session.token);
  const [number, setNumber] = useState("");
  const [sale, setSale] = useState<Receipt | null>(null);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [manager, setManager] = useState({ id: "", pin: "" });
  const [result, setResult] = useState("");
  const find = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setSale(await findReceipt(number));
      setResult("");
    } catch (err) {
      setResult(errorMessage(err));
    }
  };
  const refund = async () => {
    if (!sale) return;
    const lines = Object.entries(quantities).filter(([, q]) => /^\d+$/.test(q) && q !== "0")
      .map(([productId, q]) => ({ productId, quantity: BigInt(q) }));
    try {
      const r = await refundSale.mutateAsync({ saleId: sale.saleId, lines,
        approval: manager.id ? { managerId: manager.id, pin: manager.pin } : undefined });
      setResult(`Refunded ${formatMinor(r.refundedMinor, session.currency)}${r.fullRefund ? " (whole sale)" : ""}`);
      setSale(null);
    } catch (err) {
      setResult(errorMessage(err));
    }
  };
  return (
    <div className="center" data-testid="refund">
      <h2>Refund</h2>
      <form onSubmit={find} className="row"><input autoFocus placeholder="Receipt number" value={number} onChange={(e) => setNumber(e.target.value)} name="receipt-number" /><button>Find</button></form>
      {sale && (
        <>
          <table><tbody>{sale.lines.map((l) => (
            <tr key={l.productId}><td>{l.name}</td><td>{(l.quantity - l.refundedQuantity).toString()} left</td>
              <td><input style={{ width: 60 }} aria-label={`refund ${l.name}`} placeholder="all"
                onChange={(e) => setQuantities({ ...quantities, [l.productId]: e.target.value })} /></td></tr>
          ))}</tbody></table>
          <div className="row">Manager <input style={{ width: 70 }} placeholder="id" onChange={(e) => setManager({ ...manager, id: e.target.value })} />
            <input style={{ width: 70 }} type="password" placeholder="PIN" onChange={(e) => setManager({ ...manager, pin: e.target.value })} /></div>
          <button className="primary" onClick={refund}>Refund (empty: whole sale)</button>
        </>
      )}
      {result && <p role="status">{result}</p>}
    </div>
  );
}
