// The cart being sold: lines, discounts, held carts, and its totals priced exactly as the agent prices them.
export { useCart, type CartProduct } from "./store";
export { change } from "./pricing";
export { CartLines } from "./CartLines";
export { CartActions } from "./CartActions";
export { CartTotals } from "./CartTotals";
