import { useRef, useState, type FormEvent } from "react";
import { errorMessage } from "../../lib/errors";
import { useWindowKeyDown } from "../../lib/keyboard";
import { formatMinor } from "../../lib/money";
import type { Catalog, Product } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import type { Session } from "../session";
import type { CatalogFilter } from "./api/listCatalog";
import { useLookupBarcode } from "./api/lookupBarcode";

interface Props {
  session: Session;
  catalog: Catalog | undefined;
  filter: CatalogFilter;
  onFilter: (filter: CatalogFilter) => void;
  onAdd: (product: Product) => void;
  onNote: (note: string) => void;
}

/** Search (F2), barcode entry, category chips and the product grid, stock shown and out of stock marked. */
export function ProductPanel({ session, catalog, filter, onFilter, onAdd, onNote }: Props) {
  const lookupBarcode = useLookupBarcode(session.token);
  const [barcode, setBarcode] = useState("");
  const searchRef = useRef<HTMLInputElement>(null);
  useWindowKeyDown((e) => {
    if (e.key === "F2") { e.preventDefault(); searchRef.current?.focus(); }
  });

  const scan = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onAdd(await lookupBarcode(barcode));
      setBarcode("");
    } catch (err) {
      onNote(errorMessage(err));
    }
  };

  const { category, search } = filter;
  return (
    <section className="panel">
      <div className="row">
        <input ref={searchRef} placeholder="Search (F2)" value={search} onChange={(e) => onFilter({ category, search: e.target.value })} name="search" />
        <form onSubmit={scan}><input placeholder="Barcode + Enter" value={barcode} onChange={(e) => setBarcode(e.target.value)} name="barcode" /></form>
      </div>
      <div className="chips">
        <button className={category === "" ? "on" : ""} onClick={() => onFilter({ category: "", search })}>All</button>
        {(catalog?.categories ?? []).map((c) => <button key={c} className={category === c ? "on" : ""} onClick={() => onFilter({ category: c, search })}>{c}</button>)}
      </div>
      <div className="grid">
        {(catalog?.products ?? []).map((p) => (
          <button key={p.productId} className={`product ${p.outOfStock ? "out" : ""}`} disabled={p.outOfStock}
            onClick={() => onAdd(p)} data-testid={`product-${p.productId}`}>
            <strong>{p.name}</strong>
            <span>{formatMinor(p.priceMinor, session.currency)}</span>
            <small>{p.outOfStock ? "out of stock" : `${p.stockAvailable} in stock`}</small>
          </button>
        ))}
      </div>
    </section>
  );
}
