import { trace, type Span, type SpanContext } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LABELS_SLOT, SpanLabeler, type ContextApi, type LabelledSpan } from '../src/span-labels.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const context = (spanId: string): SpanContext => ({ traceId: TRACE_ID, spanId, traceFlags: 1 });

/** A span that keeps its labels itself, as Vigil's non-recording spans do. */
function slotted(spanId: string): LabelledSpan {
  return Object.assign(trace.wrapSpanContext(context(spanId)), { [LABELS_SLOT]: undefined });
}

const time: ContextApi = { setContext: () => undefined, getContext: () => undefined, runWithContext: (_, fn) => fn() };

describe('SpanLabeler', () => {
  it('keeps the labels of a span with a slot in the slot, and of any other span in its cache', () => {
    const labeler = new SpanLabeler('cped', time);
    const own = slotted('00f067aa0ba902b7');
    const labels = labeler.labelsOf(own);
    expect(labels).toEqual({ trace_id: TRACE_ID, span_id: '00f067aa0ba902b7', local_root_span_id: '00f067aa0ba902b7' });
    expect(own[LABELS_SLOT]).toBe(labels);
    expect(labeler.labelsOf(own)).toBe(labels); // made once

    const foreign: Span = trace.wrapSpanContext(context('1111111111111111'));
    const theirs = labeler.labelsOf(foreign);
    expect(labeler.labelsOf(foreign)).toBe(theirs);
    expect(Object.getOwnPropertySymbols(foreign)).toEqual([]); // nothing written on someone else's span
  });

  it('a child inherits its local root from a parent of either kind', () => {
    const labeler = new SpanLabeler('cped', time);
    const root = slotted('2222222222222222');
    labeler.labelsOf(root);
    const child = labeler.labelsOf(trace.wrapSpanContext(context('3333333333333333')), root);
    expect(child?.local_root_span_id).toBe('2222222222222222');
    const foreignRoot = trace.wrapSpanContext(context('4444444444444444'));
    labeler.labelsOf(foreignRoot);
    expect(labeler.labelsOf(slotted('5555555555555555'), foreignRoot)?.local_root_span_id).toBe('4444444444444444');
  });
});
