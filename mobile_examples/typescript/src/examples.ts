// One use of each operation in ../operations, as an app screen would make it. Amounts
// and quantities are Decimal strings ("1740.10"): shown as they come, compared and
// added with a decimal library, never with JS numbers.
import type { createClient } from "./client.js";
import {
  MyOrdersDocument,
  OrderDetailDocument,
  PlaceOrderDocument,
  ProductWithStockDocument,
  type MyOrdersQuery,
  type OrderLineInput,
} from "./gql/graphql.js";

type Execute = ReturnType<typeof createClient>;
type OrderSummary = NonNullable<NonNullable<MyOrdersQuery["viewer"]["customer"]>["orders"]>["nodes"][number];

/** Every order of the signed-in customer, newest first, fetched page by page. */
export async function myOrders(execute: Execute, pageSize = 20): Promise<OrderSummary[]> {
  const orders: OrderSummary[] = [];
  let after: string | null = null;
  do {
    // Annotated: `after` feeds the request and is read from its answer.
    const answer: MyOrdersQuery = await execute(MyOrdersDocument, { first: pageSize, after });
    const page = answer.viewer.customer?.orders;
    if (!page) break;
    orders.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return orders;
}

/** An order's lines as a receipt shows them: "2 x Widget @ 12.50 EUR = 25.00 EUR". */
export async function orderReceipt(execute: Execute, orderId: string): Promise<string[]> {
  const { order } = await execute(OrderDetailDocument, { id: orderId });
  if (!order) return [];
  const lines = order.lines.map(
    (line) =>
      `${line.quantity.value} ${line.quantity.unitName} x ${line.product?.name ?? line.description}` +
      ` @ ${money(line.unitPrice)} = ${money(line.total)}`,
  );
  const unpaid = (order.invoices ?? []).filter((invoice) => invoice.paymentStatus !== "PAID");
  return [...lines, `total ${money(order.total)}`, `${unpaid.length} invoice(s) to pay`];
}

/** What can be sold now of a SKU, per warehouse code; null for an unknown SKU. */
export async function stockBySku(
  execute: Execute,
  sku: string,
): Promise<{ name: string; total: string; byWarehouse: Record<string, string> } | null> {
  const { product } = await execute(ProductWithStockDocument, { sku });
  if (!product?.stock) return null;
  const byWarehouse: Record<string, string> = {};
  for (const { warehouse, available } of product.stock.warehouses) {
    byWarehouse[warehouse.code] = `${available.value} ${available.unit}`;
  }
  const { value, unit } = product.stock.available;
  return { name: product.name, total: `${value} ${unit}`, byWarehouse };
}

/** Checkout: one idempotency key per checkout, reused when the request is retried. */
export async function checkout(
  execute: Execute,
  lines: OrderLineInput[],
  idempotencyKey: string = crypto.randomUUID(),
): Promise<{ status: string; orderNumber: string | null; total: string | null }> {
  const { placeOrder } = await execute(PlaceOrderDocument, { lines, idempotencyKey });
  const [problem] = placeOrder.userErrors;
  if (problem) throw new Error(`${problem.code}: ${problem.message}`);
  const receipt = placeOrder.receipt;
  if (!receipt) throw new Error("no receipt and no userErrors");
  const order = receipt.order;
  return {
    status: receipt.status,
    orderNumber: order?.number ?? null,
    total: order ? money(order.total) : null,
  };
}

function money({ amount, currency }: { amount: string; currency: string }): string {
  return `${amount} ${currency}`;
}
