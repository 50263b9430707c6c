import type { AuditReport, KeyReport } from './audit-report.ts';

/** The report as an aligned text table (one row per key) followed by the blind spots. */
export function formatAuditTable(report: AuditReport): string {
  const rows = [
    ['RISK', 'USER', 'ACCESS KEY', 'AGE', 'LAST USED', 'STATUS', 'REASONS'],
    ...report.keys.map((key) => [
      key.risk,
      key.user,
      keyLabel(key),
      `${key.ageDays}d`,
      key.lastUsedAt?.slice(0, 10) ?? 'never',
      key.status,
      key.reasons.join(',') || '-',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const spots = [...report.blindSpots, ...report.keys.flatMap((key) => key.blindSpots.map((spot) => spot))];
  const codes = [...new Set(spots.map((spot) => spot.code))];
  lines.push('', `blind spots: ${codes.join(', ') || 'none'} (details: --markdown or --json)`);
  return `${lines.join('\n')}\n`;
}

/**
 * The report as Markdown: a summary table, then per key its findings, used and unused rights, the
 * suggested policy, the proxy plan and its blind spots, then the account-wide blind spots.
 */
export function formatAuditMarkdown(report: AuditReport): string {
  const out: string[] = [
    '# maskpoint audit',
    '',
    `Generated ${report.generatedAt}. Sensitive buckets: ${report.sensitiveBuckets.map(code).join(', ') || 'none given'}.`,
    '',
    '| risk | user | access key | age | last used | status | reasons |',
    '|---|---|---|---|---|---|---|',
    ...report.keys.map(
      (key) =>
        `| ${key.risk} | ${key.user} | ${code(keyLabel(key))} | ${key.ageDays} d | ${key.lastUsedAt?.slice(0, 10) ?? 'never'} | ${key.status} | ${key.reasons.join(', ') || '-'} |`,
    ),
    '',
  ];
  for (const key of report.keys) out.push(...keySection(key));
  out.push('## Blind spots', '');
  for (const spot of report.blindSpots) out.push(`- \`${spot.code}\`: ${spot.message}`);
  out.push('');
  return out.join('\n');
}

function keySection(key: KeyReport): string[] {
  const out = [`## ${key.user} ${code(keyLabel(key))}: ${key.risk}`, ''];
  for (const finding of key.findings) out.push(`- **${finding.reason}**: ${finding.detail}`);
  if (key.findings.length > 0) out.push('');
  if (key.used !== undefined) {
    out.push(
      `Used (${key.used.eventCount} calls): ${key.used.actions.map(code).join(', ') || 'nothing'}` +
        `${key.used.sourceIps.length > 0 ? `; from ${key.used.sourceIps.map(code).join(', ')}` : ''}` +
        `${key.used.vpcEndpoints.length > 0 ? `; through ${key.used.vpcEndpoints.map(code).join(', ')}` : ''}.`,
      '',
    );
  }
  if (key.unused !== undefined) {
    const partly = key.unused.partlyUsed.map(
      (entry) => `${code(entry.granted)} (used: ${entry.used.join(', ')})`,
    );
    out.push(
      `Unused: services ${key.unused.services.map(code).join(', ') || 'none'}; actions ${key.unused.actions.map(code).join(', ') || 'none'}` +
        `${partly.length > 0 ? `; partly used ${partly.join(', ')}` : ''}.`,
      '',
    );
  }
  if (key.suggestedPolicy !== undefined) {
    out.push(
      'Suggested policy:',
      '',
      '```json',
      JSON.stringify(key.suggestedPolicy, undefined, 2),
      '```',
      '',
    );
  }
  for (const note of key.suggestionNotes) out.push(`- ${note}`);
  if (key.suggestionNotes.length > 0) out.push('');
  if (key.proxy !== undefined) {
    out.push('Proxy through maskpoint instead:', '');
    for (const bucket of key.proxy.buckets) {
      if (bucket.configuredIn !== undefined) {
        out.push(`- ${code(bucket.bucket)} is already protected by ${code(bucket.configuredIn)}`);
      } else if (bucket.configFile !== undefined && bucket.configSource !== undefined) {
        out.push(`- ${code(bucket.configFile)}:`, '', '```ts', bucket.configSource.trimEnd(), '```');
      }
    }
    out.push('', '```sh', key.proxy.gatewayKeyCommand, '```', '');
  }
  for (const spot of key.blindSpots) out.push(`- blind spot \`${spot.code}\`: ${spot.message}`);
  if (key.blindSpots.length > 0) out.push('');
  return out;
}

function keyLabel(key: KeyReport): string {
  return key.accessKeyId ?? `key ${key.slot ?? '?'} (id unknown)`;
}

function code(text: string): string {
  return `\`${text}\``;
}
