// Paying for the cart: tenders, the checkout at the agent, and re-sending the checkouts the offline queue holds.
export { PaymentForm } from "./PaymentForm";
export { resendPending } from "./checkout";
