// graphql-codegen for the operations in ../operations, against ../../schema.graphql:
// typed documents in src/gql/ (git-ignored: `npm run codegen` writes them afresh) and
// the trusted-documents manifest src/gql/persisted-documents.json the app ships.
//
// Why not the client preset's own `persistedDocuments` option: it keys its manifest
// "sha256:<hex>" (GraphQL over HTTP's document ids), which is not what Apollo's
// `sha256Hash` carries nor what the gateway's manifest holds, and it hashes its own
// normalized print (@graphql-tools/documents: fields sorted, one line), not the text
// `erp-gateway persisted export` hashes (graphql-js `print` of each file). The same
// operation would get two hashes. codegen/persisted.mjs hashes as the gateway does, for
// both the manifest and each document's `__meta__.hash`.
import type { CodegenConfig } from "@graphql-codegen/cli";
import type { DocumentNode } from "graphql";
import { readdirSync } from "node:fs";

import { hashesByOperationName } from "./codegen/persisted.mjs";

const OPERATIONS = "../operations";
const files = readdirSync(OPERATIONS)
  .filter((name) => name.endsWith(".graphql"))
  .map((name) => `${OPERATIONS}/${name}`);
const hashes = hashesByOperationName(files);

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: [`${OPERATIONS}/*.graphql`],
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        // The fragments here are for reuse (Amount), not for components owning their data.
        fragmentMasking: false,
        onExecutableDocumentNode: (node: DocumentNode) => {
          const operation = node.definitions.find((d) => d.kind === "OperationDefinition");
          return operation?.name ? { hash: hashes.get(operation.name.value) } : undefined;
        },
      },
      config: {
        // Documents as strings (no DocumentNode, no graphql-js in the app), each with
        // `__meta__.hash`, the hash the gateway knows it by.
        documentMode: "string",
        emitLegacyCommonJSImports: false, // `./graphql.js`: the imports Node's ESM resolves
        // Every custom scalar of schema.graphql, as the JSON the gateway sends. Strings on
        // purpose: a Decimal ("1740.10") as a JS number would lose cents past 2^53 and turn
        // 0.1 + 0.2 into 0.30000000000000004; dates stay ISO 8601 text until the app picks
        // a time zone and a date library. strictScalars fails codegen on a scalar
        // added to the schema and not mapped here.
        scalars: { Decimal: "string", DateTime: "string", Date: "string" },
        strictScalars: true,
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
    "src/gql/persisted-documents.json": { plugins: ["./codegen/persisted.mjs"] },
  },
};

export default config;
