// Records every outgoing connection this process attempts (fetch, http, https and net clients), from
// Node's `net.client.socket` diagnostics channel: the host name looked up, and each address tried. The
// loopback-only namespace makes any other destination fail anyway; this shows whether one was tried at
// all, e.g. by a vendor SDK phoning home. (A bare tls.connect() publishes no socket on this channel.)
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export interface ConnectionAttempt {
  /** A host name as looked up, or an address as connected to. */
  host: string;
  port?: number;
}

export interface ConnectionRecorder {
  attempts: ConnectionAttempt[];
  /** Attempts to anything but loopback. */
  nonLoopback(): ConnectionAttempt[];
  stop(): void;
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

export function recordConnections(): ConnectionRecorder {
  const attempts: ConnectionAttempt[] = [];
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    socket.on('lookup', (_error: unknown, _address: unknown, _family: unknown, host: string) => {
      attempts.push({ host });
    });
    socket.on('connectionAttempt', (ip: string, port: number) => attempts.push({ host: ip, port }));
  };
  diagnosticsChannel.subscribe('net.client.socket', onSocket);
  return {
    attempts,
    nonLoopback: () => attempts.filter((attempt) => !LOOPBACK.test(attempt.host)),
    stop: () => diagnosticsChannel.unsubscribe('net.client.socket', onSocket),
  };
}
