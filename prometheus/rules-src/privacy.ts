// The privacy guard's alerts (prometheus/rules/privacy.rules.yml). A TypeScript source because one of
// them reads the pseudonym's shape, which lives with the pseudonymizer (src/privacy/pseudonymizer.ts
// PSEUDONYM_FORMAT) and is written nowhere else.
import { PSEUDONYM_FORMAT } from '../../src/privacy/pseudonymizer.ts';
import { unanchored } from '../../src/privacy/rules.ts';
import type { RuleFile } from './render.ts';

/** A kit pseudonym as a PromQL regex (PromQL anchors every regex itself). */
export const pseudonymRegex = unanchored(PSEUDONYM_FORMAT.source);

export const privacyRuleFile: RuleFile = {
  file: 'privacy.rules.yml',
  source: 'privacy.ts',
  header: `Privacy guard alerts: privacy layer 1 (in the server) rewriting people's data out of telemetry at a
steady rate, and a caller's id reaching the metrics pipeline without the kit's pseudonym (layer 1
bypassed; the collector's layer 2 hashed it). The canary run (\`npm run canary\`) is the proof before a
release; these are the signals while the server runs.

Loaded by: Prometheus through rule_files in prometheus/prometheus.yml (compose and tests alike);
unit-tested by prometheus/tests/privacy.rules.test.yml with promtool.
Override: thresholds are in prometheus/rules-src/privacy.ts. Runbooks: docs/runbooks/<alertname>.md.`,
  groups: [
    {
      name: 'privacy',
      rules: [
        {
          comment: `Layer 1 rewrote a value (a PII pattern or a call's own argument in a span name, log body, event
or attribute) about once a minute or more, for 15 minutes: nothing leaked, but some code writes
people's data into telemetry and relies on the guard.`,
          alert: 'MCPPrivacyLayer1Redacting',
          expr: 'sum by (job) (rate(mcpkit_privacy_redactions_total[15m])) > 0.015',
          for: '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary:
              'The server keeps writing personal data into its telemetry, and the privacy guard keeps removing it.',
            description:
              'Privacy layer 1 in {{ $labels.job }} rewrites {{ $value | printf "%.2f" }} values per second that held a PII pattern or a call argument.',
          },
        },
        {
          comment: `Every mcpkit_principal value must be a kit pseudonym (PSEUDONYM_FORMAT). Anything else was a raw
caller id that a producer sent without layer 1, hashed by the collector's redaction.`,
          alert: 'MCPPrincipalNotPseudonymised',
          expr: `count by (job) ({__name__=~"mcpkit_.+", mcpkit_principal!="", mcpkit_principal!~"${pseudonymRegex}"}) > 0`,
          for: '1m',
          labels: { severity: 'warning' },
          annotations: {
            summary: "A caller id reached the metrics without the kit's pseudonym.",
            description:
              '{{ $value }} series from {{ $labels.job }} carry a caller id that is not a kit pseudonym: a producer bypasses privacy layer 1.',
          },
        },
      ],
    },
  ],
};
