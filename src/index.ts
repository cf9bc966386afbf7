// The public API of mcp-telemetry-kit.
export {
  type McpcatBridge,
  type McpcatBridgeOptions,
  type McpcatPackage,
  startMcpcatBridge,
} from './bridges/mcpcat.ts';
export { recordHttpRejection } from './mcp/http-rejections.ts';
export { instrumentMcpServer } from './mcp/instrument.ts';
export { currentToolCall } from './mcp/tool-call.ts';
export { PrivacyMetricExporter } from './privacy/metric-exporter.ts';
export { PseudonymKeyError } from './privacy/pseudonymizer.ts';
export { SdkEnvError } from './sdk-env.ts';
// Attributes an application may set on its own spans and metrics (docs/telemetry.md).
export { ATTR_MCPKIT_CACHE_RESULT } from './semconv.ts';
export { startTelemetry } from './telemetry.ts';
export type {
  DatadogBridgeOptions,
  FieldTransform,
  HttpRejectionReason,
  IdentifyInput,
  InstrumentMcpServerOptions,
  SentryBridgeOptions,
  StartTelemetryOptions,
  TelemetryHandle,
  ToolCallTelemetry,
  ToolExportPolicy,
  ToolOutcome,
} from './types.ts';
