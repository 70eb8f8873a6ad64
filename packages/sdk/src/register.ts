/**
 * `node --import @vigil/sdk/register app.js` (or `--require`): starts Vigil from environment variables with no code
 * change. A configuration error is logged and the application keeps running without Vigil.
 */
import { diag } from '@opentelemetry/api';
import { mainEntryLoading } from './main-entry.ts';
import { launch } from './start.ts';

launch({}, mainEntryLoading()).catch((error: unknown) => {
  diag
    .createComponentLogger({ namespace: 'vigil' })
    .error(`not started: ${error instanceof Error ? error.message : String(error)}`);
});
