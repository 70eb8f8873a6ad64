import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type VigilHandle } from '@vigil/sdk';

let handle: VigilHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

// Without the async-context frame (Node 22), labels need the async-hooks mode; the attribute comes with labels.
const hasFrame = Number(process.versions.node.split('.')[0]) >= 24;

describe('tracing', () => {
  it('local root spans carry pyroscope.profile.id = their span id; children do not', async () => {
    const exporter = new InMemorySpanExporter();
    handle = await start({
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      debugAddr: 'off',
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
      spanLabels: hasFrame ? 'auto' : 'async-hooks',
    });
    const tracer = trace.getTracer('test');
    tracer.startActiveSpan('root', (root) => {
      tracer.startActiveSpan('child', (child) => child.end());
      root.end();
    });
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'root')!;
    const child = spans.find((s) => s.name === 'child')!;
    expect(root.attributes['pyroscope.profile.id']).toBe(root.spanContext().spanId);
    expect(child.attributes['pyroscope.profile.id']).toBeUndefined();
  });
  // Incoming HTTP spans honouring traceparent are proven end to end in test/e2e/trace-linked.test.ts (a real process).
});
