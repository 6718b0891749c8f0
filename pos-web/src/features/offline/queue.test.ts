import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { CheckoutRequestSchema, TenderMethod } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { done, enqueue, pending, storedBytes } from "./queue";

function contains(haystack: Uint8Array, text: string): boolean {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

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

  it("keeps neither the session token nor a manager's PIN on disk, and sends with the token signed in now", async () => {
    const request = create(CheckoutRequestSchema, {
      sessionToken: "secret-session-token-of-alice",
      checkoutId: "co-offline-2",
      lines: [{ productId: "p-olive-oil", quantity: 1n, lineDiscountMinor: 300n }],
      tenders: [{ method: TenderMethod.TENDER_CASH, amountMinor: 1000n }],
      approval: { managerId: "9001", pin: "975310" },
    });
    await enqueue(request);
    const bytes = await storedBytes();
    expect(bytes).toHaveLength(1);
    expect(contains(bytes[0], "co-offline-2")).toBe(true);
    expect(contains(bytes[0], "secret-session-token-of-alice")).toBe(false);
    expect(contains(bytes[0], "975310")).toBe(false);
    const [again] = await pending("token-of-bob-after-sign-in");
    expect(again.sessionToken).toBe("token-of-bob-after-sign-in");
    expect(again.approval?.pin).toBe("975310"); // this tab still holds it, in memory only
    await done("co-offline-2");
  });
});
