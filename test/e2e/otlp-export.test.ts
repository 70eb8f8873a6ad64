import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@vigil/test-helpers/metrics';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * The standard OTEL_* variables mean what the spec says, with NodeSDK underneath: `OTEL_TRACES_EXPORTER=otlp` sends
 * spans over OTLP/HTTP protobuf to `OTEL_EXPORTER_OTLP_ENDPOINT`, with `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES` on the resource, and `OTEL_PROPAGATORS` choosing the propagators. No Collector is
 * installable here, so this test is the OTLP endpoint: it decodes each body with the protobuf definitions of OTLP
 * that `@opentelemetry/otlp-transformer` generated from opentelemetry-proto (0.208, the last line to ship them).
 */
const { opentelemetry } = createRequire(import.meta.url)('otlp-proto/build/src/generated/root.js') as OtlpRoot;

interface OtlpRoot {
  opentelemetry: {
    proto: {
      collector: { trace: { v1: { ExportTraceServiceRequest: { decode(bytes: Uint8Array): ExportRequest } } } };
    };
  };
}
interface KeyValue {
  key: string;
  value: { stringValue?: string };
}
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: KeyValue[] };
    scopeSpans: {
      scope: { name: string };
      spans: {
        traceId: Uint8Array;
        spanId: Uint8Array;
        parentSpanId: Uint8Array;
        name: string;
        kind: number;
        attributes: KeyValue[];
      }[];
    }[];
  }[];
}

const received: { contentType: string | undefined; request: ExportRequest }[] = [];
let collector: Server;
let app: Spawned;
let appUrl: string;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        received.push({
          contentType: req.headers['content-type'],
          request: opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.decode(Buffer.concat(chunks)),
        });
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
  const appPort = await freePort();
  app = spawnNode(['--import', '@vigil/sdk/register', 'app.cjs'], {
    cwd: `${REPO_ROOT}test/fixtures/otel-app`,
    env: {
      PORT: String(appPort),
      VIGIL_METRICS_PORT: '0',
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_SPAN_LABELS: Number(process.versions.node.split('.')[0]) >= 24 ? 'auto' : 'async-hooks',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'checkout-svc',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e,service.name=overridden-by-OTEL_SERVICE_NAME',
      OTEL_PROPAGATORS: 'tracecontext,b3',
    },
  });
  appUrl = `http://127.0.0.1:${appPort}`;
  await app.waitForOutput(/shop listening/);
});

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => collector?.close(resolve));
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const attribute = (attributes: KeyValue[], key: string) => attributes.find((a) => a.key === key)?.value.stringValue;

/** The server span of `traceId` with its resource, once the exporter has sent it. */
function serverSpanOf(traceId: string) {
  for (const { request } of received) {
    for (const { resource, scopeSpans } of request.resourceSpans) {
      for (const { spans } of scopeSpans) {
        const span = spans.find((s) => hex(s.traceId) === traceId && s.kind === 2); // SPAN_KIND_SERVER
        if (span !== undefined) return { span, resource };
      }
    }
  }
  return undefined;
}

describe('OTLP/HTTP protobuf export from OTEL_* variables', () => {
  it('a request with a traceparent is exported under that trace id, with service.name and pyroscope.profile.id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const res = await fetch(`${appUrl}/checkout?millis=20`, {
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
    });
    expect(res.status).toBe(200);

    const { span, resource } = await waitFor(() => serverSpanOf(traceId), 'the server span at the OTLP endpoint');
    expect(received.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    expect(hex(span.parentSpanId)).toBe(parentId);
    expect(attribute(resource.attributes, 'service.name')).toBe('checkout-svc');
    expect(attribute(resource.attributes, 'deployment.environment.name')).toBe('e2e');
    expect(attribute(span.attributes, 'pyroscope.profile.id')).toBe(hex(span.spanId));
    expect(attribute(span.attributes, 'http.request.method')).toBe('GET');
  });

  it('OTEL_PROPAGATORS is honoured: a B3 header continues its trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const res = await fetch(`${appUrl}/checkout?millis=5`, { headers: { b3: `${traceId}-${parentId}-1` } });
    expect(res.status).toBe(200);
    const { span } = await waitFor(() => serverSpanOf(traceId), 'the B3-continued server span');
    expect(hex(span.parentSpanId)).toBe(parentId);
  });

  it('prints no error or warning', () => {
    expect(app.output()).not.toMatch(/error|warn/i);
  });
});
