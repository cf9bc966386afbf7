import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A fresh folder for the raw bytes fake sinks receive (one subfolder per sink). Kept after the run so
 * captures can be scanned independently; MCP_KIT_CAPTURE puts them under a chosen folder instead of /tmp.
 */
export function newCaptureRoot(label: string): string {
  const parent = process.env.MCP_KIT_CAPTURE ?? tmpdir();
  return mkdtempSync(path.join(parent, `mcp-kit-${label}-`));
}
