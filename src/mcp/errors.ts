// The error rules of the MCP semantic conventions: which JSON-RPC responses are errors, which of those
// are the server's fault, and what `error.type` they carry.
import { privacyRules } from '../privacy/rules.ts';
import { ERROR_TYPE_TOOL_ERROR } from '../semconv.ts';

const { clientErrorCodes, serverErrorCodes } = privacyRules.errors;

/**
 * Client mistakes and "not found": reported with error.type, but the span status stays unset. From the
 * contract (src/privacy/rules.json `errors`), which the SLI rules and dashboards read too.
 */
export const CLIENT_ERROR_CODES: ReadonlySet<number> = new Set(clientErrorCodes);

export function isServerErrorCode(code: number): boolean {
  if (CLIENT_ERROR_CODES.has(code)) return false;
  return (
    code === serverErrorCodes.internalError ||
    (code >= serverErrorCodes.rangeFrom && code <= serverErrorCodes.rangeTo)
  );
}

export interface ResponseClassification {
  /** `error.type`, when the response is an error. */
  errorType?: string;
  /** `rpc.response.status_code`: the JSON-RPC error code, as a string. */
  statusCode?: string;
  /** Whether the span status becomes Error. */
  failed: boolean;
}

export function classifyResponse(message: {
  result?: unknown;
  error?: { code?: unknown };
}): ResponseClassification {
  if (message.error) {
    const code = Number(message.error.code);
    return { errorType: String(code), statusCode: String(code), failed: isServerErrorCode(code) };
  }
  const result = message.result as { isError?: unknown } | undefined;
  if (result?.isError === true) return { errorType: ERROR_TYPE_TOOL_ERROR, failed: true };
  return { failed: false };
}
