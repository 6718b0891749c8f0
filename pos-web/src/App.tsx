import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ConnectError } from "@connectrpc/connect";
import { pos } from "./api/client";
import { useSession, type Session } from "./features/session/store";
import { useCart } from "./features/cart/store";
import { change } from "./features/cart/pricing";
import { checkout, resendPending } from "./features/checkout/checkout";
import { pending } from "./features/offline/queue";
import { formatMinor, parseMinor } from "./lib/money";
import { Role, TenderMethod, type Product, type Receipt, type SyncStatus, type TillCloseReport } from "./gen/cps/enterprise/pos/v1/pos_pb";

type Screen = "sell" | "receipt" | "refund" | "close";

export function App() {
  const session = useSession((s) => s.session);
  const [tillOpen, setTillOpen] = useState<boolean | null>(null);
  useEffect(() => {
    if (!session) return;
    pos.getCurrentTill({ sessionToken: session.token }).then(() => setTillOpen(true), () => setTillOpen(false));
  }, [session]);
  if (!session) return <SignIn />;
  if (tillOpen === null) return <p className="center">Loading…</p>;
  if (!tillOpen) return <OpenTill session={session} onOpened={() => setTillOpen(true)} />;
  return <Till session={session} />;
}

function message(e: unknown) {
  return ConnectError.from(e).rawMessage;
}

function SignIn() {
  const signIn = useSession((s) => s.signIn);
  const [cashierId, setCashierId] = useState("");
  const [pin, setPin] = useState("");
  const [tillId, setTillId] = useState("till-1");
  const [error, setError] = useState("");
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const r = await pos.signIn({ cashierId, pin, tillId });
      signIn({ token: r.sessionToken, cashierId: r.cashierId, displayName: r.displayName,
        manager: r.role === Role.MANAGER, branchId: r.branchId, currency: r.currency });
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form className="center" onSubmit={submit} data-testid="sign-in">
      <h2>Sign in</h2>
      <input autoFocus placeholder="Cashier id" value={cashierId} onChange={(e) => setCashierId(e.target.value)} name="cashier" />
      <input placeholder="PIN" type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} name="pin" />
      <input placeholder="Till" value={tillId} onChange={(e) => setTillId(e.target.value)} name="till" />
      <button className="primary" type="submit">Sign in</button>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}

function OpenTill({ session, onOpened }: { session: Session; onOpened: () => void }) {
  const [cash, setCash] = useState("100.00");
  const [error, setError] = useState("");
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const minor = parseMinor(cash);
    if (minor === null) return setError("Enter the opening cash, e.g. 100.00");
    try {
      await pos.openTill({ sessionToken: session.token, openingCashMinor: minor });
      onOpened();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form className="center" onSubmit={submit} data-testid="open-till">
      <h2>Open till</h2>
      <label>Opening cash ({session.currency}) <input autoFocus name="opening-cash" value={cash} onChange={(e) => setCash(e.target.value)} /></label>
      <button className="primary" type="submit">Open till</button>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}

function Till({ session }: { session: Session }) {
  const [screen, setScreen] = useState<Screen>("sell");
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const signOut = useSession((s) => s.signOut);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "F9") { e.preventDefault(); setScreen("refund"); }
      if (e.key === "F10") { e.preventDefault(); setScreen("close"); }
      if (e.key === "Escape") setScreen("sell");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
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
        <button onClick={() => { pos.signOut({ sessionToken: session.token }).catch(() => {}); signOut(); }}>Sign out</button>
      </header>
      {screen === "sell" && <Sell session={session} onReceipt={(r) => { setReceipt(r); setScreen("receipt"); }} />}
      {screen === "receipt" && receipt && <ReceiptView receipt={receipt} onNext={() => setScreen("sell")} />}
      {screen === "refund" && <Refund session={session} />}
      {screen === "close" && <CloseTill session={session} />}
    </>
  );
}

function SyncIndicator({ session }: { session: Session }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [agentUp, setAgentUp] = useState(true);
  const [queued, setQueued] = useState(0);
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      try {
        setStatus(await pos.getSyncStatus({ sessionToken: session.token }, { timeoutMs: 3000 }));
        setAgentUp(true);
        await resendPending(session.token);
      } catch {
        setAgentUp(false);
      }
      setQueued((await pending()).length);
      if (!stop) setTimeout(tick, 3000);
    };
    tick();
    return () => { stop = true; };
  }, [session]);
  const online = agentUp && (status?.regionReachable ?? false);
  return (
    <span className={`sync ${online ? "online" : "offline"}`} data-testid="sync" title={status?.lastError ?? ""}>
      {!agentUp ? "agent unreachable" : online ? "online" : "offline"} · {status ? `${status.pendingEvents} to sync` : "…"}
      {queued > 0 && ` · ${queued} sale(s) waiting for the agent`}
      {status?.lastSync && ` · last sync ${new Date(Number(status.lastSync.seconds) * 1000).toLocaleTimeString()}`}
    </span>
  );
}

function Sell({ session, onReceipt }: { session: Session; onReceipt: (r: Receipt) => void }) {
  const cart = useCart();
  const [products, setProducts] = useState<Product[]>([]);
  const [categories, setCategories] = useState<string[]>([]);
  const [category, setCategory] = useState("");
  const [search, setSearch] = useState("");
  const [barcode, setBarcode] = useState("");
  const [cash, setCash] = useState("");
  const [card, setCard] = useState("");
  const [cardToken, setCardToken] = useState("");
  const [mobile, setMobile] = useState("");
  const [cartDiscount, setCartDiscount] = useState("");
  const [manager, setManager] = useState({ id: "", pin: "" });
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const cashRef = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const c = await pos.listCatalog({ sessionToken: session.token, category, search });
      setProducts(c.products);
      setCategories(c.categories);
    } catch (e) {
      setNote(message(e));
    }
  }, [session, category, search]);
  useEffect(() => { load(); }, [load]);

  const totals = cart.totals();
  const cashMinor = parseMinor(cash) ?? 0n;
  const nonCash = (parseMinor(card) ?? 0n) + (parseMinor(mobile) ?? 0n);
  const changeDue = change(totals.totalMinor, nonCash, cashMinor);

  const pay = useCallback(async () => {
    if (cart.lines.length === 0 || busy) return;
    setBusy(true);
    setNote("");
    const tenders = [];
    if (parseMinor(card)) tenders.push({ method: TenderMethod.TENDER_CARD, amountMinor: parseMinor(card)!, cardToken });
    if (parseMinor(mobile)) tenders.push({ method: TenderMethod.TENDER_MOBILE, amountMinor: parseMinor(mobile)!, cardToken: cardToken || "wallet" });
    const cashGiven = cash.trim() === "" && tenders.length === 0 ? totals.totalMinor : cashMinor;
    if (cashGiven > 0n) tenders.push({ method: TenderMethod.TENDER_CASH, amountMinor: cashGiven });
    const outcome = await checkout({
      sessionToken: session.token,
      checkoutId: crypto.randomUUID(),
      lines: cart.lines.map((l) => ({ productId: l.product.productId, quantity: l.quantity, lineDiscountMinor: l.lineDiscountMinor })),
      cartDiscountMinor: cart.cartDiscountMinor,
      tenders,
      approval: manager.id ? { managerId: manager.id, pin: manager.pin } : undefined,
    });
    setBusy(false);
    if (outcome.kind === "receipt") {
      cart.clear();
      setCash(""); setCard(""); setMobile(""); setCartDiscount(""); setManager({ id: "", pin: "" });
      load();
      onReceipt(outcome.receipt);
    } else if (outcome.kind === "queued") {
      cart.clear();
      setCash(""); setCard(""); setMobile("");
      setNote("The agent is unreachable: the sale is kept on this till and will be sent as soon as it is back.");
    } else {
      setNote(outcome.message);
    }
  }, [cart, busy, card, cardToken, mobile, cash, cashMinor, totals.totalMinor, session, manager, load, onReceipt]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "F2") { e.preventDefault(); searchRef.current?.focus(); }
      if (e.key === "F3") { e.preventDefault(); cashRef.current?.focus(); }
      if (e.key === "F4") { e.preventDefault(); pay(); }
      if (e.key === "F8") { e.preventDefault(); cart.hold(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [pay, cart]);

  const addProduct = (p: Product) =>
    cart.add({ productId: p.productId, name: p.name, category: p.category, priceMinor: p.priceMinor, taxRateBp: p.taxRateBp });

  const scan = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      addProduct(await pos.lookupBarcode({ sessionToken: session.token, barcode }));
      setBarcode("");
    } catch (err) {
      setNote(message(err));
    }
  };

  const byId = useMemo(() => new Map(products.map((p) => [p.productId, p])), [products]);

  return (
    <div className="sell" data-testid="sell">
      <section className="panel">
        <div className="row">
          <input ref={searchRef} placeholder="Search (F2)" value={search} onChange={(e) => setSearch(e.target.value)} name="search" />
          <form onSubmit={scan}><input placeholder="Barcode + Enter" value={barcode} onChange={(e) => setBarcode(e.target.value)} name="barcode" /></form>
        </div>
        <div className="chips">
          <button className={category === "" ? "on" : ""} onClick={() => setCategory("")}>All</button>
          {categories.map((c) => <button key={c} className={category === c ? "on" : ""} onClick={() => setCategory(c)}>{c}</button>)}
        </div>
        <div className="grid">
          {products.map((p) => (
            <button key={p.productId} className={`product ${p.outOfStock ? "out" : ""}`} disabled={p.outOfStock}
              onClick={() => addProduct(p)} data-testid={`product-${p.productId}`}>
              <strong>{p.name}</strong>
              <span>{formatMinor(p.priceMinor, session.currency)}</span>
              <small>{p.outOfStock ? "out of stock" : `${p.stockAvailable} in stock`}</small>
            </button>
          ))}
        </div>
      </section>
      <section className="panel" data-testid="cart">
        <h3>Cart</h3>
        <table>
          <thead><tr><th>Item</th><th className="num">Qty</th><th className="num">Disc.</th><th className="num">Total</th><th /></tr></thead>
          <tbody>
            {cart.lines.map((l, i) => (
              <tr key={l.product.productId}>
                <td>{l.product.name}{byId.get(l.product.productId)?.outOfStock ? " (no stock)" : ""}</td>
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
        <div className="row" style={{ marginTop: ".4rem" }}>
          Cart discount <input style={{ width: 80 }} name="cart-discount" value={cartDiscount} placeholder="0.00"
            onChange={(e) => { setCartDiscount(e.target.value); cart.setCartDiscount(parseMinor(e.target.value) ?? 0n); }} />
          <button onClick={() => cart.hold()}>Hold <kbd>F8</kbd></button>
          {cart.held.map((h) => <button key={h.id} onClick={() => cart.recall(h.id)}>Recall {new Date(h.heldAt).toLocaleTimeString()}</button>)}
        </div>
        <div className="totals" data-testid="totals">
          <span>Subtotal</span><span>{formatMinor(totals.subtotalMinor)}</span>
          <span>Discounts</span><span>-{formatMinor(totals.discountMinor)}</span>
          <span>of which tax</span><span>{formatMinor(totals.taxMinor)}</span>
          <span className="big">Total</span><span className="big" data-testid="total">{formatMinor(totals.totalMinor, session.currency)}</span>
        </div>
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
      </section>
    </div>
  );
}

function ReceiptView({ receipt, onNext }: { receipt: Receipt; onNext: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === "Enter") onNext(); };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onNext]);
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

function Refund({ session }: { session: Session }) {
  const [number, setNumber] = useState("");
  const [sale, setSale] = useState<Receipt | null>(null);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [manager, setManager] = useState({ id: "", pin: "" });
  const [result, setResult] = useState("");
  const find = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      setSale(await pos.getReceipt({ sessionToken: session.token, receiptNumber: number }));
      setResult("");
    } catch (err) {
      setResult(message(err));
    }
  };
  const refund = async () => {
    if (!sale) return;
    const lines = Object.entries(quantities).filter(([, q]) => /^\d+$/.test(q) && q !== "0")
      .map(([productId, q]) => ({ productId, quantity: BigInt(q) }));
    try {
      const r = await pos.refund({ sessionToken: session.token, refundId: crypto.randomUUID(), saleId: sale.saleId, lines,
        approval: manager.id ? { managerId: manager.id, pin: manager.pin } : undefined });
      setResult(`Refunded ${formatMinor(r.refundedMinor, session.currency)}${r.fullRefund ? " (whole sale)" : ""}`);
      setSale(null);
    } catch (err) {
      setResult(message(err));
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

function CloseTill({ session }: { session: Session }) {
  const [counted, setCounted] = useState("");
  const [report, setReport] = useState<TillCloseReport | null>(null);
  const [error, setError] = useState("");
  const close = async (e: React.FormEvent) => {
    e.preventDefault();
    const minor = parseMinor(counted);
    if (minor === null) return setError("Enter the counted cash, e.g. 123.45");
    try {
      setReport(await pos.closeTill({ sessionToken: session.token, countedCashMinor: minor }));
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form className="center" onSubmit={close} data-testid="close-till">
      <h2>Close till</h2>
      {!report && <><label>Counted cash <input autoFocus value={counted} onChange={(e) => setCounted(e.target.value)} name="counted" /></label>
        <button className="primary">Close till</button></>}
      {report && (
        <div className="totals" data-testid="close-report">
          <span>Expected</span><span>{formatMinor(report.expectedCashMinor, session.currency)}</span>
          <span>Counted</span><span>{formatMinor(report.countedCashMinor, session.currency)}</span>
          <span>Difference</span><span className={report.differenceMinor === 0n ? "ok" : "error"}>{formatMinor(report.differenceMinor, session.currency)}</span>
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}
