import { MESSAGE_KEY, type ClusterMessage } from './messages.ts';

/**
 * A worker tells its primary where its metrics and debug server are; the returned function says it is leaving.
 * A closed IPC channel (the worker disconnecting) is not an error of the app's: it is reported and ignored.
 */
export function announceMember(
  metricsUrl: string,
  debugUrl: string | undefined,
  reportError: (error: unknown, what: string) => void,
): () => void {
  send({ [MESSAGE_KEY]: 1, kind: 'member', pid: process.pid, metricsUrl, debugUrl }, reportError);
  return () => send({ [MESSAGE_KEY]: 1, kind: 'leave', pid: process.pid }, reportError);
}

function send(message: ClusterMessage, reportError: (error: unknown, what: string) => void): void {
  if (process.send === undefined || !process.connected) return;
  try {
    process.send(message, undefined, {}, (error: Error | null) => {
      if (error) reportError(error, `telling the cluster primary "${message.kind}"`);
    });
  } catch (error) {
    reportError(error, `telling the cluster primary "${message.kind}"`);
  }
}
