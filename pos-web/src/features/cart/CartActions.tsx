import { useState } from "react";
import { useWindowKeyDown } from "../../lib/keyboard";
import { parseMinor } from "../../lib/money";
import { useCart } from "./store";

/** The cart discount, hold (F8) and the held carts to recall. */
export function CartActions() {
  const cart = useCart();
  const [cartDiscount, setCartDiscount] = useState("");
  useWindowKeyDown((e) => {
    if (e.key === "F8") { e.preventDefault(); cart.hold(); }
  });
  return (
    <div className="row" style={{ marginTop: ".4rem" }}>
      Cart discount <input style={{ width: 80 }} name="cart-discount" value={cartDiscount} placeholder="0.00"
        onChange={(e) => { setCartDiscount(e.target.value); cart.setCartDiscount(parseMinor(e.target.value) ?? 0n); }} />
      <button onClick={() => cart.hold()}>Hold <kbd>F8</kbd></button>
      {cart.held.map((h) => <button key={h.id} onClick={() => cart.recall(h.id)}>Recall {new Date(h.heldAt).toLocaleTimeString()}</button>)}
    </div>
  );
}
