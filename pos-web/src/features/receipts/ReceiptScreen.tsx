import { useWindowKeyDown } from "../../lib/keyboard";
import { formatMinor } from "../../lib/money";
import { TenderMethod, type Receipt } from "../../gen/cps/enterprise/pos/v1/pos_pb";

/** The printable receipt: number, lines, tax, tenders, change and the agent's receipt hash; Enter for the next sale. */
export function ReceiptScreen({ receipt, onNext }: { receipt: Receipt; onNext: () => void }) {
  useWindowKeyDown((e) => { if (e.key === "Enter") onNext(); });
  return (
    <div className="receipt" data-testid="receipt">
      <h3>Receipt {receipt.receiptNumber}</h3>
      <div>{receipt.branchId} · cashier {receipt.cashierId}</div>
      <table>
        <tbody>
          {receipt.lines.map((l) => (
            <tr key={l.productId}><td>{l.quantity.toString()} × {l.name}</td><td className="num">{formatMinor(l.lineTotalMinor)}</td></tr>
          ))}
        </tbody>
      </table>
      <div className="totals">
        <span>Discounts</span><span>-{formatMinor(receipt.discountMinor)}</span>
        <span>Tax included</span><span>{formatMinor(receipt.taxMinor)}</span>
        <span className="big">Total</span><span className="big">{formatMinor(receipt.totalMinor, receipt.currency)}</span>
        {receipt.tenders.map((t, i) => (
          <span key={i} style={{ display: "contents" }}><span>{TenderMethod[t.method].replace("TENDER_", "")}</span><span>{formatMinor(t.tenderedMinor)}</span></span>
        ))}
        <span>Change</span><span data-testid="receipt-change">{formatMinor(receipt.changeMinor)}</span>
      </div>
      <small style={{ wordBreak: "break-all" }}>Receipt hash {receipt.receiptHash}</small>
      <div className="row no-print" style={{ marginTop: ".8rem" }}>
        <button onClick={() => window.print()}>Print</button>
        <button className="primary" onClick={onNext}>Next sale <kbd>Enter</kbd></button>
      </div>
    </div>
  );
}
