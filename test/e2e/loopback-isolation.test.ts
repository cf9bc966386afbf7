// The loopback rule: tests run in a network namespace where only `lo` exists, so no
// test can send traffic beyond this machine.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isolation, nonLoopbackInterfaces } from '../support/network.ts';

function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const unisolated = isolation() === 'unisolated';
if (unisolated) console.warn('!! loopback isolation is OFF on this machine: the isolation tests are skipped');

describe.skipIf(unisolated)('the test network namespace', () => {
  it('has no interface other than loopback', () => {
    expect(nonLoopbackInterfaces()).toEqual([]);
  });

  it('refuses a connection to an address beyond loopback', async () => {
    // Only attempted once the interface check above holds: with no route, the kernel fails the connect
    // locally (ENETUNREACH) and no packet leaves. 192.0.2.1 is TEST-NET-1, reserved for documentation.
    expect(nonLoopbackInterfaces()).toEqual([]);
    expect(await tryConnect('192.0.2.1', 80)).toBe('ENETUNREACH');
  });

  it('still reaches servers on loopback', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    server.close();
  });
});
