import { useEffect, useMemo, useState } from "react";
import { errorMessage } from "../../lib/errors";
import type { Product, Receipt } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { CartActions, CartLines, CartTotals, useCart } from "../cart";
import { ProductPanel, useCatalog, useRefreshCatalog, type CatalogFilter } from "../catalog";
import { PaymentForm } from "../checkout";
import type { Session } from "../session";

/** Selling: the product grid on the left, the cart and its payment on the right. */
export function SellScreen({ session, onReceipt }: { session: Session; onReceipt: (r: Receipt) => void }) {
  const add = useCart((s) => s.add);
  const [filter, setFilter] = useState<CatalogFilter>({ category: "", search: "" });
  const catalog = useCatalog(session.token, filter);
  const refreshCatalog = useRefreshCatalog();
  const [note, setNote] = useState("");

  useEffect(() => {
    if (catalog.error) setNote(errorMessage(catalog.error));
  }, [catalog.error, catalog.errorUpdatedAt]);

  const byId = useMemo(() => new Map((catalog.data?.products ?? []).map((p) => [p.productId, p])), [catalog.data]);
  const addProduct = (p: Product) =>
    add({ productId: p.productId, name: p.name, category: p.category, priceMinor: p.priceMinor, taxRateBp: p.taxRateBp });
  const sold = (receipt: Receipt) => {
    refreshCatalog(); // stock has changed
    onReceipt(receipt);
  };

  return (
    <div className="sell" data-testid="sell">
      <ProductPanel session={session} catalog={catalog.data} filter={filter} onFilter={setFilter} onAdd={addProduct} onNote={setNote} />
      <section className="panel" data-testid="cart">
        <h3>Cart</h3>
        <CartLines outOfStock={(id) => byId.get(id)?.outOfStock ?? false} />
        <CartActions />
        <CartTotals currency={session.currency} />
        <PaymentForm session={session} note={note} onNote={setNote} onReceipt={sold} />
      </section>
    </div>
  );
}
