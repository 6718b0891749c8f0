import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { CheckoutRequestSchema, TenderMethod } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { done, enqueue, pending } from "./queue";

describe("offline checkout queue", () => {
  it("keeps a checkout with its id and money exactly until it is done", async () => {
    const request = create(CheckoutRequestSchema, {
      checkoutId: "co-offline-1",
      lines: [{ productId: "p-milk", quantity: 2n }],
      tenders: [{ method: TenderMethod.TENDER_CASH, amountMinor: 9007199254740993n }],
    });
    await enqueue(request);
    await enqueue(request); // the same checkout twice is still one
    const queued = await pending();
    expect(queued).toHaveLength(1);
    expect(queued[0].checkoutId).toBe("co-offline-1");
    expect(queued[0].tenders[0].amountMinor).toBe(9007199254740993n);
    await done("co-offline-1");
    expect(await pending()).toHaveLength(0);
  });
});
