/**
 * `node --import @vigil/sdk/register app.js` (or `--require`): starts Vigil from environment variables with no code
 * change. A configuration error is logged and the application keeps running without Vigil.
 */
import { diag } from '@opentelemetry/api';
import { start } from './start.ts';

start().catch((error: unknown) => {
  diag.createComponentLogger({ namespace: 'vigil' }).error(
    `not started: ${error instanceof Error ? error.message : String(error)}`,
  );
});
