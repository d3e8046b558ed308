// A tiny typed client for erp-gateway: one POST per operation, the customer's token in
// `Authorization`, the operation named by its SHA-256 (Apollo's persisted-query form)
// and every GraphQL error raised with its `extensions.code`.
//
// The operations are the generated documents of src/gql/graphql.js: their result and
// variable types come from the schema, and `__meta__.hash` is the key the gateway's
// trusted-documents manifest (src/gql/persisted-documents.json) holds them under.
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";

/** A generated operation: its text, its types, and the hash the gateway knows it by. */
export type Operation<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & {
  __meta__?: Record<string, unknown> | undefined;
};

/** One error of a GraphQL answer, as the gateway writes it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** The operation did not answer cleanly: `code` is the first error's `extensions.code`
 * (`NOT_FOUND`, `FORBIDDEN`, `RATE_LIMITED`, ...), `data` what was answered anyway. */
export class GatewayError extends Error {
  readonly code: string;

  constructor(
    readonly errors: readonly GraphQLErrorEntry[],
    readonly status: number,
    readonly data: unknown = null,
  ) {
    const code = errors[0]?.extensions?.code ?? `HTTP_${status}`;
    super(`${code}: ${errors.map((error) => error.message).join("; ")}`);
    this.name = "GatewayError";
    this.code = code;
  }

  /** Every code the answer carried, e.g. to tell a missing object from a refused one. */
  get codes(): string[] {
    return this.errors.map((error) => error.extensions?.code ?? "UNKNOWN");
  }
}

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://api.example.com/graphql`. */
  url: string;
  /** The customer's token: sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** The manifest, hash -> document: the text sent once when the gateway does not know a
   * hash yet (automatic persisted queries), which must be exactly the hashed text. */
  documents: Readonly<Record<string, string>>;
  fetch?: typeof fetch;
}

// No variables to pass: the argument may be left out.
type VariablesArgument<TVariables> = Record<string, never> extends TVariables
  ? [variables?: TVariables]
  : [variables: TVariables];

type Execute = <TResult, TVariables>(
  operation: Operation<TResult, TVariables>,
  ...variables: VariablesArgument<TVariables>
) => Promise<TResult>;

// What the gateway answers when it does not have the hash: retry with the text.
const NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND";
const NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED";

/** A function that runs a generated operation and resolves to its typed `data`. */
export function createClient(options: ClientOptions): Execute {
  const send = sender(options);
  return async (operation, ...[variables]) => {
    const hash = operation.__meta__?.["hash"];
    if (typeof hash !== "string") {
      return send({ query: operation.toString(), variables });
    }
    const persistedQuery = { version: 1, sha256Hash: hash };
    try {
      return await send({ variables, extensions: { persistedQuery } });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.code === NOT_SUPPORTED) return send({ query: operation.toString(), variables });
      if (error.code !== NOT_FOUND) throw error;
      const query = options.documents[hash];
      if (query === undefined) throw new Error(`operation ${hash} is not in the manifest`);
      return send({ query, variables, extensions: { persistedQuery } });
    }
  };
}

function sender(options: ClientOptions): <TResult>(body: object) => Promise<TResult> {
  const fetchImpl = options.fetch ?? fetch;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    // GraphQL over HTTP: a request error is a 4xx with a JSON body under this type.
    Accept: "application/graphql-response+json, application/json;q=0.9",
  };
  if (options.token !== undefined) headers["Authorization"] = `Bearer ${options.token}`;
  return async <TResult>(body: object): Promise<TResult> => {
    const response = await fetchImpl(options.url, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    const answer = await answerOf(response);
    if (answer.errors?.length) throw new GatewayError(answer.errors, response.status, answer.data);
    if (answer.data == null) throw new GatewayError([], response.status);
    return answer.data as TResult;
  };
}

interface Answer {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

async function answerOf(response: Response): Promise<Answer> {
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("json")) {
    const message = `${response.status} ${response.statusText} (${type || "no content type"})`;
    throw new GatewayError([{ message }], response.status);
  }
  return (await response.json()) as Answer;
}
