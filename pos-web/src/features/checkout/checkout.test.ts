import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  CheckoutRequestSchema,
  ReceiptSchema,
  TenderMethod,
  type CheckoutRequest,
} from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { enqueue, pending } from "../offline";
import { resendPending } from "./checkout";

const queued = (id: string) => create(CheckoutRequestSchema, {
  sessionToken: "old-token", checkoutId: id,
  lines: [{ productId: "p-milk", quantity: 1n }],
  tenders: [{ method: TenderMethod.TENDER_CASH, amountMinor: 200n }],
});

describe("re-sending queued checkouts", () => {
  it("keeps them while the session is gone and sends them with the fresh token after a new sign-in", async () => {
    await enqueue(queued("co-a"));
    await enqueue(queued("co-b"));
    const sent: CheckoutRequest[] = [];
    const expired = async (r: CheckoutRequest) => {
      sent.push(r);
      throw new ConnectError("the session has ended: sign in again", Code.Unauthenticated);
    };
    expect(await resendPending("", expired)).toHaveLength(0);
    expect(await pending()).toHaveLength(2); // nothing dropped
    expect(sent[0].sessionToken).toBe("");

    const agent = async (r: CheckoutRequest) => {
      sent.push(r);
      return create(ReceiptSchema, { saleId: "sale-" + r.checkoutId, duplicate: false });
    };
    const receipts = await resendPending("fresh-token", agent);
    expect(receipts.map((r) => r.saleId).sort()).toEqual(["sale-co-a", "sale-co-b"]);
    expect(sent.slice(1).every((r) => r.sessionToken === "fresh-token")).toBe(true);
    expect(await pending()).toHaveLength(0);
  });
});
