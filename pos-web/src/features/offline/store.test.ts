import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { CheckoutRequestSchema } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { done, enqueue } from "./queue";
import { useOfflineQueue } from "./store";

describe("offline queue count", () => {
  it("counts the sales waiting on disk each time it is recounted", async () => {
    expect(useOfflineQueue.getState().waiting).toBe(0);
    await enqueue(create(CheckoutRequestSchema, { checkoutId: "co-count-1" }));
    await enqueue(create(CheckoutRequestSchema, { checkoutId: "co-count-2" }));
    await useOfflineQueue.getState().recount();
    expect(useOfflineQueue.getState().waiting).toBe(2);
    await done("co-count-1");
    await useOfflineQueue.getState().recount();
    expect(useOfflineQueue.getState().waiting).toBe(1);
    await done("co-count-2");
  });
});
