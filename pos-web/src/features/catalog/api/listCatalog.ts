import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";

export interface CatalogFilter {
  category: string;
  search: string;
}

export const catalogKeys = {
  all: ["catalog"] as const,
  list: (sessionToken: string, filter: CatalogFilter) => ["catalog", "list", sessionToken, filter.category, filter.search] as const,
  barcode: (sessionToken: string, barcode: string) => ["catalog", "barcode", sessionToken, barcode] as const,
};

/** The products (with stock) and categories for a filter; the previous grid stays up while the next one loads. */
export function useCatalog(sessionToken: string, filter: CatalogFilter) {
  return useQuery({
    queryKey: catalogKeys.list(sessionToken, filter),
    queryFn: ({ signal }) => pos.listCatalog({ sessionToken, ...filter }, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** Asks the agent again for every catalogue shown (after a sale, stock has changed). */
export function useRefreshCatalog(): () => void {
  const queries = useQueryClient();
  return () => void queries.invalidateQueries({ queryKey: catalogKeys.all });
}
