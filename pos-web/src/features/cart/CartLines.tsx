import { formatMinor, parseMinor } from "../../lib/money";
import { useCart } from "./store";

/** The cart's lines: quantity and line discount editable, each line's total as the agent will price it. */
export function CartLines({ outOfStock }: { outOfStock: (productId: string) => boolean }) {
  const cart = useCart();
  const totals = cart.totals();
  return (
    <table>
      <thead><tr><th>Item</th><th className="num">Qty</th><th className="num">Disc.</th><th className="num">Total</th><th /></tr></thead>
      <tbody>
        {cart.lines.map((l, i) => (
          <tr key={l.product.productId}>
            <td>{l.product.name}{outOfStock(l.product.productId) ? " (no stock)" : ""}</td>
            <td className="num">
              <input style={{ width: 52 }} aria-label={`quantity ${l.product.name}`} value={l.quantity.toString()}
                onChange={(e) => /^\d{1,4}$/.test(e.target.value) && cart.setQuantity(l.product.productId, BigInt(e.target.value))} />
            </td>
            <td className="num">
              <input style={{ width: 64 }} aria-label={`discount ${l.product.name}`} placeholder="0.00"
                onBlur={(e) => cart.setLineDiscount(l.product.productId, parseMinor(e.target.value) ?? 0n)} />
            </td>
            <td className="num">{formatMinor(totals.lines[i]?.totalMinor ?? 0n)}</td>
            <td><button onClick={() => cart.remove(l.product.productId)} aria-label="remove">×</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
