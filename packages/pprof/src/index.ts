export { decodeProfile, encodeProfile } from './encode.ts';
export { filterByLabel } from './filter.ts';
export { traceRefs } from './labels.ts';
export type { TraceSpans } from './labels.ts';
export { mergeProfiles } from './merge.ts';
export { formatTop, topTable } from './top.ts';
export type { TopRow, TopTable } from './top.ts';
export { Profile } from 'pprof-format';
