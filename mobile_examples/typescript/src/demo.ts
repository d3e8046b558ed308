// Runs each example against a gateway and prints what it got as JSON:
//   GATEWAY_URL=http://127.0.0.1:8000/graphql GATEWAY_TOKEN=<customer token> \
//   SKU=<a sku> node build/demo.js
// tests/test_typescript_client.py runs it against a gateway over the emulators.
import { createClient, GatewayError } from "./client.js";
import { checkout, myOrders, orderReceipt, stockBySku } from "./examples.js";
import manifest from "./gql/persisted-documents.json" with { type: "json" };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const execute = createClient({
    url: required("GATEWAY_URL"),
    token: required("GATEWAY_TOKEN"),
    documents: manifest,
  });
  const sku = required("SKU");
  const orders = await myOrders(execute, 2);
  const first = orders[0];
  const receipt = first ? await orderReceipt(execute, first.id) : [];
  const stock = await stockBySku(execute, sku);
  const placed = await checkout(execute, [{ sku, quantity: "1" }]);
  let missing: string | null = null;
  try {
    await orderReceipt(execute, "not-an-order-id");
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    missing = error.code;
  }
  console.log(JSON.stringify({ orders: orders.length, receipt, stock, placed, missing }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
