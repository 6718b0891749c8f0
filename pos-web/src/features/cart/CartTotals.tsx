import { formatMinor } from "../../lib/money";
import { useCart } from "./store";

export function CartTotals({ currency }: { currency: string }) {
  const totals = useCart().totals(); // the whole store: totals change with every line and discount
  return (
    <div className="totals" data-testid="totals">
      <span>Subtotal</span><span>{formatMinor(totals.subtotalMinor)}</span>
      <span>Discounts</span><span>-{formatMinor(totals.discountMinor)}</span>
      <span>of which tax</span><span>{formatMinor(totals.taxMinor)}</span>
      <span className="big">Total</span><span className="big" data-testid="total">{formatMinor(totals.totalMinor, currency)}</span>
    </div>
  );
}
