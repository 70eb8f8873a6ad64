import type { Meter } from '@opentelemetry/api';
import type { Guard } from '@vigil/core';
import { maxFileDescriptors, openFileDescriptors } from '../proc-fs.ts';
import type { ProcessNames } from '../semconv.ts';

/** Open file descriptors and their limit (Linux). */
export function collectFileDescriptors(meter: Meter, names: ProcessNames, guard: Guard): void {
  const limit = maxFileDescriptors();
  meter
    .createObservableGauge(names.openFds, { unit: '{file_descriptor}', description: 'Open file descriptors.' })
    .addCallback(
      guard((result) => {
        const open = openFileDescriptors();
        if (open !== undefined) result.observe(open);
      }, 'file descriptor collection'),
    );
  if (limit !== undefined) {
    meter
      .createObservableGauge(names.maxFds, { unit: '{file_descriptor}', description: 'Maximum open file descriptors.' })
      .addCallback((result) => result.observe(limit));
  }
}
