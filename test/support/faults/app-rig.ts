// The application rig of the fault suite: a fake Tempo (which takes every signal), the kit's collector on
// a fixed address with its own queue folder (so it can be stopped and started again where the
// application expects it), the reference server as its own process exporting to it, and an agent calling
// its tools. Scenarios 3, 8, 10 and 12 break one part of it and watch the rest.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newCaptureRoot } from '../capture.ts';
import { type KitCollector, startKitCollector } from '../kit-collector.ts';
import { freePort } from '../ports.ts';
import { type OtlpSink, startOtlpSink } from '../sinks/otlp-sink.ts';
import { connectAgent, type FaultAgent } from './agent.ts';
import { type LocatorProcess, startLocatorProcess } from './locator-process.ts';

/** The service name the reference server reports. */
export const LOCATOR_SERVICE = 'detainee-locator';

export interface AppRig {
  sink: OtlpSink;
  /** The collector running now (undefined while stopped). */
  collector: KitCollector | undefined;
  /** The server process started last, and its agent. */
  locator: LocatorProcess;
  agent: FaultAgent;
  /** Stops the collector (SIGTERM: it drains to its queue folder). */
  stopCollector(): Promise<void>;
  /** Starts a collector on the same address and queue folder. */
  startCollector(): Promise<KitCollector>;
  /** Starts another server process and its agent (after the last one was killed). */
  startLocator(): Promise<{ locator: LocatorProcess; agent: FaultAgent }>;
  close(): Promise<void>;
}

/** `locatorEnv`: the server's OTEL_* settings for this scenario. */
export async function startAppRig(label: string, locatorEnv: Record<string, string> = {}): Promise<AppRig> {
  const sink = await startOtlpSink({ name: 'tempo', captureRoot: newCaptureRoot(`fault-${label}`) });
  const backends = { tempo: sink.url, loki: `${sink.url}/otlp`, prometheus: `${sink.url}/api/v1/otlp` };
  const httpPort = await freePort();
  const queueDir = mkdtempSync(path.join(tmpdir(), 'mcp-kit-queues-'));
  const locators: LocatorProcess[] = [];
  const agents: FaultAgent[] = [];
  const first = await startKitCollector({ backends, httpPort, queueDir });
  const rig: AppRig = {
    sink,
    collector: first,
    locator: undefined as unknown as LocatorProcess,
    agent: undefined as unknown as FaultAgent,
    async stopCollector() {
      await rig.collector?.stop();
      rig.collector = undefined;
    },
    async startCollector() {
      rig.collector = await startKitCollector({ backends, httpPort, queueDir });
      return rig.collector;
    },
    async startLocator() {
      const locator = await startLocatorProcess({
        collectorUrl: first.otlpHttpUrl,
        collectorHeaders: first.authHeaders,
        env: locatorEnv,
      });
      locators.push(locator);
      const agent = await connectAgent(locator);
      agents.push(agent);
      Object.assign(rig, { locator, agent });
      return { locator, agent };
    },
    async close() {
      for (const agent of agents) await agent.close();
      for (const locator of locators) await locator.stop();
      await rig.collector?.stop();
      await sink.close();
    },
  };
  await rig.startLocator();
  return rig;
}
