// The active tool call, carried in async context so a tool's code can declare its outcome wherever it
// is (`currentToolCall()?.setOutcome('no_match')`) without being handed anything.
import { AsyncLocalStorage } from 'node:async_hooks';
import { applyTransform } from '../privacy/export-policy.ts';
import type { ToolCallTelemetry, ToolExportPolicy, ToolOutcome } from '../types.ts';

export class ToolCall implements ToolCallTelemetry {
  readonly toolName: string;
  outcome: ToolOutcome | undefined;
  resultCount: number | undefined;
  readonly resultAttributes: Record<string, string | number | boolean> = {};
  /** The call's arguments as the tool's policy exports them (set when the call starts). */
  exportedArguments: Record<string, string | number | boolean> = {};
  private readonly policy: ToolExportPolicy | undefined;

  constructor(toolName: string, policy: ToolExportPolicy | undefined) {
    this.toolName = toolName;
    this.policy = policy;
  }

  setOutcome(outcome: ToolOutcome): void {
    this.outcome = outcome;
  }

  setResultCount(count: number): void {
    this.resultCount = count;
  }

  setResultAttribute(key: string, value: string | number | boolean): void {
    const transform = this.policy?.results?.[key];
    if (!transform) return; // not declared in the tool's policy: never exported
    const safe = applyTransform(transform, value);
    if (safe !== undefined) this.resultAttributes[key] = safe;
  }
}

export const activeToolCall = new AsyncLocalStorage<ToolCall>();

/** The tool call being handled in the current async context, if any. */
export function currentToolCall(): ToolCallTelemetry | undefined {
  return activeToolCall.getStore();
}
