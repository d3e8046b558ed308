// graphql-http's server audit of the GraphQL over HTTP spec, against the URL given:
//   node tests/js/audit.mjs http://127.0.0.1:8000/graphql
// Prints one line per audit (its status and name, and why for any but ok) and a count;
// exits 1 on any warning or error. Notices are printed and allowed.
import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <GraphQL endpoint URL>");
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
// One at a time: a busy CI machine answers them all, never a burst of 61.
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  const why = result.status === "ok" ? "" : `: ${result.reason}`;
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}${why}`);
}
console.log(
  `${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
