// Receipts: the one just printed, and earlier ones found by number.
export { ReceiptScreen } from "./ReceiptScreen";
export { useFindReceipt, receiptKeys } from "./api/getReceipt";
