/**
 * The gateway's per-user rates and per-socket quotas are sized for a person; a benchmark drives one
 * socket far faster (hundreds of saves or lease requests back to back), so its gateways lift them.
 */
export const BENCH_LIMITS: Readonly<Record<string, string>> = {
  TANDEM_LIMIT_REQUESTS_PER_SECOND: '1000000',
  TANDEM_LIMIT_JOINS_PER_MINUTE: '1000000',
  TANDEM_LIMIT_PRESENCE_PER_SECOND: '1000000',
  TANDEM_LIMIT_LEASES_PER_MINUTE: '1000000',
  TANDEM_LIMIT_SAVES_PER_MINUTE: '1000000',
  TANDEM_LIMIT_HISTORY_PER_MINUTE: '1000000',
  TANDEM_QUOTA_LEASES_PER_RESOURCE: '100000',
};
