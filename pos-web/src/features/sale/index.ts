// The selling screen: it puts the catalogue, the cart and the payment side by side.
export { SellScreen } from "./SellScreen";
