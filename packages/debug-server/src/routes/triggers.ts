import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadError, type TriggersService } from '@vigil/triggers';
import { readBody } from '../body.ts';
import { sendError, sendJson } from '../responses.ts';

export interface TriggersContext {
  triggers: TriggersService | undefined;
  bodyTimeoutMillis: number;
}

const MAX_BODY = 1024 * 1024;

/** POST /debug/vigil/alerts: Alertmanager's webhook (version 4). Firing alerts for this process run their rule's plan. */
export async function postAlerts(
  req: IncomingMessage,
  res: ServerResponse,
  _params: URLSearchParams,
  ctx: TriggersContext,
): Promise<void> {
  if (ctx.triggers === undefined) return sendError(res, 503, 'triggers are not running in this process (see the logs)');
  const body = await readBody(req, MAX_BODY, ctx.bodyTimeoutMillis);
  if (!body.ok) return sendError(res, body.status, body.reason, body.close ? { connection: 'close' } : {});
  try {
    const result = await ctx.triggers.handleAlerts(body.data.toString('utf8'));
    sendJson(res, result.started.length + result.queued.length > 0 ? 202 : 200, result);
  } catch (error) {
    if (error instanceof PayloadError) return sendError(res, 400, error.message);
    throw error;
  }
}

/** GET /debug/vigil/triggers: the rules in force and the latest firings (with what they captured or why not). */
export async function getTriggers(
  _req: IncomingMessage,
  res: ServerResponse,
  _params: URLSearchParams,
  ctx: TriggersContext,
): Promise<void> {
  if (ctx.triggers === undefined) return sendError(res, 503, 'triggers are not running in this process (see the logs)');
  const engine = ctx.triggers.engine;
  sendJson(res, 200, {
    rules: engine.rules.map((r) => ({
      name: r.name,
      metric: r.metric,
      ...(r.stat ? { stat: r.stat } : {}),
      [r.relative ? 'rise' : r.direction]: r.thresholdText,
      forMillis: r.forMillis,
      cooldownMillis: r.cooldownMillis,
      capture: r.capture,
      health: engine.health(r.name),
    })),
    queued: engine.queued,
    recent: engine.recent,
  });
}
