// What leaves the process towards other services carries no caller context. The caller's baggage (from
// `params._meta`) is readable inside the request but never injected into outgoing requests: it is
// whatever the caller chose to put there, e.g. their e-mail address. Requests to vendor endpoints the
// bridges talk to (the collector, Sentry, the mcpcat/agentcat API) get no trace headers and no client
// span at all: the vendor SDK's own traffic is not the application's.
import { W3CBaggagePropagator } from '@opentelemetry/core';

/** Reads `baggage` like the W3C propagator, injects nothing. */
export class ReadOnlyBaggagePropagator extends W3CBaggagePropagator {
  override inject(): void {}
}

const vendorOrigins = new Set<string>();

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Declares a URL a vendor SDK sends to; requests to its origin are neither traced nor given headers. */
export function registerVendorEgress(url: string | undefined): void {
  const origin = url ? originOf(url) : undefined;
  if (origin) vendorOrigins.add(origin);
}

export function isVendorEgress(url: string): boolean {
  const origin = originOf(url);
  return origin !== undefined && vendorOrigins.has(origin);
}
