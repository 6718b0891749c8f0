// The cashier's till: which one is open, opening it with a float, closing it with the counted cash.
export { useCurrentTill } from "./api/getCurrentTill";
export { OpenTillScreen } from "./OpenTillScreen";
export { CloseTillScreen } from "./CloseTillScreen";
