// Refunding an earlier sale, whole or per line, with a manager's approval.
export { RefundScreen } from "./RefundScreen";
