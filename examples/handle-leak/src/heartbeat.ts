/**
 * Each session starts a heartbeat that pings its peer every few seconds. The bug: nothing ever stops it, so every
 * request leaves a timer (and its closure) behind.
 */
const peers: string[] = [];

export function startHeartbeat(session: string): NodeJS.Timeout {
  return setInterval(() => {
    peers.push(session);
    if (peers.length > 1_000) peers.length = 0;
  }, 5_000);
}
