// The branch's catalogue: products with price and stock, categories, search and barcode look-up.
export { useCatalog, useRefreshCatalog, type CatalogFilter } from "./api/listCatalog";
export { ProductPanel } from "./ProductPanel";
