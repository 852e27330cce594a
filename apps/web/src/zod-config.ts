import { z } from 'zod';

/**
 * zod compiles object schemas with `new Function` unless told not to, and probes for it on the first
 * parse; the gateway's Content-Security-Policy forbids eval (script-src 'self'), so the probe alone
 * would be reported as a violation. Interpreted schemas are fast enough for what the page parses.
 * Imported before anything that parses.
 */
z.config({ jitless: true });
