import { describe, expect, it } from 'vitest';
import { MESSAGE_KEY, isClusterMessage } from '../../src/cluster/messages.ts';

describe('isClusterMessage: Vigil reads its own cluster messages only', () => {
  it.each<[string, unknown, boolean]>([
    [
      'a member announcement',
      {
        [MESSAGE_KEY]: 1,
        kind: 'member',
        pid: 12,
        metricsUrl: 'http://127.0.0.1:4000/metrics',
        debugUrl: 'http://127.0.0.1:4001',
      },
      true,
    ],
    [
      'a member with no debug server',
      { [MESSAGE_KEY]: 1, kind: 'member', pid: 12, metricsUrl: 'http://[::1]:4000/metrics' },
      true,
    ],
    ['a leave', { [MESSAGE_KEY]: 1, kind: 'leave', pid: 12 }, true],
    ['the app’s own object', { cmd: 'ready', pid: 12 }, false],
    ['the app’s string', 'ready', false],
    ['null', null, false],
    [
      'an app message that borrows the kind',
      { kind: 'member', pid: 12, metricsUrl: 'http://127.0.0.1:4000/metrics' },
      false,
    ],
    [
      'a metrics URL off the host',
      { [MESSAGE_KEY]: 1, kind: 'member', pid: 12, metricsUrl: 'http://169.254.169.254/latest' },
      false,
    ],
    ['a metrics URL that is not a URL', { [MESSAGE_KEY]: 1, kind: 'member', pid: 12, metricsUrl: 'nope' }, false],
    ['another protocol version', { [MESSAGE_KEY]: 2, kind: 'leave', pid: 12 }, false],
  ])('%s → %s', (_name, message, expected) => {
    expect(isClusterMessage(message)).toBe(expected);
  });
});
