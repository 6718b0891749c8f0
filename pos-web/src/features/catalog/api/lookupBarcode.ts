import { useQueryClient } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";
import type { Product } from "../../../gen/cps/enterprise/pos/v1/pos_pb";
import { catalogKeys } from "./listCatalog";

/** Looks a scanned barcode up, always at the agent (price and stock as of now); rejects when it is unknown. */
export function useLookupBarcode(sessionToken: string): (barcode: string) => Promise<Product> {
  const queries = useQueryClient();
  return (barcode) =>
    queries.fetchQuery({
      queryKey: catalogKeys.barcode(sessionToken, barcode),
      queryFn: ({ signal }) => pos.lookupBarcode({ sessionToken, barcode }, { signal }),
      staleTime: 0,
    });
}
