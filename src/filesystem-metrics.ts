// Disk fill of the filesystem the server writes to (its working directory), for the disk alert:
// @opentelemetry/host-metrics reports CPU, memory and network only. One gauge, the semconv name
// system.filesystem.utilization, with no attribute: the device and mount point name the host's layout
// and are not needed to say "this server's disk is nearly full". fs.statfs is Node's own, so no
// dependency is added for it.
import { statfs } from 'node:fs/promises';
import { metrics } from '@opentelemetry/api';
import {
  INSTRUMENTATION_SCOPE,
  METRIC_DESCRIPTIONS,
  METRIC_SYSTEM_FILESYSTEM_UTILIZATION,
} from './semconv.ts';

/** Observes the used share (0..1) of the filesystem holding `path` at every metric collection. */
export function startFilesystemMetrics(path: string = process.cwd()): void {
  metrics
    .getMeter(INSTRUMENTATION_SCOPE)
    .createObservableGauge(METRIC_SYSTEM_FILESYSTEM_UTILIZATION, {
      description: METRIC_DESCRIPTIONS[METRIC_SYSTEM_FILESYSTEM_UTILIZATION],
      unit: '1',
    })
    .addCallback(async (result) => {
      try {
        const stats = await statfs(path);
        // Used over what ordinary processes can have (used + available), as df reports it.
        const used = stats.blocks - stats.bfree;
        const usable = used + stats.bavail;
        if (usable > 0) result.observe(used / usable);
      } catch {
        // A filesystem that cannot be read reports nothing rather than a wrong number.
      }
    });
}
