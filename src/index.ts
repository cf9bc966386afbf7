// The public API of mcp-telemetry-kit.
export { recordHttpRejection } from './mcp/http-rejections.ts';
export { instrumentMcpServer } from './mcp/instrument.ts';
export { currentToolCall } from './mcp/tool-call.ts';
export { startTelemetry } from './telemetry.ts';
export type {
  FieldTransform,
  HttpRejectionReason,
  IdentifyInput,
  InstrumentMcpServerOptions,
  StartTelemetryOptions,
  TelemetryHandle,
  ToolCallTelemetry,
  ToolExportPolicy,
  ToolOutcome,
} from './types.ts';
