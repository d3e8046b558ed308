// Persisted operations, hashed exactly as the gateway hashes them.
//
// `erp-gateway persisted export` (gateway/persisted_documents.py) keys each operation
// file by the SHA-256 of the file's document as graphql-core prints it, which is
// graphql-js's `print`: comments dropped, one layout, definitions in file order. The
// manifest written here and the hash embedded in every generated document use that same
// text, so the app, its manifest and the gateway's export name each operation alike.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Kind, parse, print } from "graphql";

/** The lowercase hex SHA-256 of a document's UTF-8 text: Apollo's `sha256Hash`. */
export function sha256Hex(text) {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Each operation's name -> the hash of the printed document of the file that holds it. */
export function hashesByOperationName(files) {
  const hashes = new Map();
  for (const file of files) {
    const document = parse(readFileSync(file, "utf8"));
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1 || !operations[0].name) {
      throw new Error(`${file}: expected one named operation per file, as the gateway's export keys files`);
    }
    hashes.set(operations[0].name.value, sha256Hex(print(document)));
  }
  return hashes;
}

/** graphql-codegen plugin: the trusted documents manifest, as `persisted export` writes it. */
export function plugin(_schema, documents) {
  const entries = documents.map(({ document }) => {
    const text = print(document);
    return [sha256Hex(text), text];
  });
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}
