import type { Meter } from '@opentelemetry/api';
import type { Guard } from '@vigil/core';
import type { ProcessNames } from '../semconv.ts';

/** CPU time of the process, user and system. */
export function collectCpu(meter: Meter, names: ProcessNames, guard: Guard): void {
  const cpu = names.cpu;
  if (cpu.kind === 'by-mode') {
    meter
      .createObservableCounter(cpu.name, { unit: 's', description: 'CPU time spent by the process, by mode.' })
      .addCallback(
        guard((result) => {
          const usage = process.cpuUsage();
          result.observe(usage.user / 1e6, { [cpu.attribute]: 'user' });
          result.observe(usage.system / 1e6, { [cpu.attribute]: 'system' });
        }, 'cpu collection'),
      );
    return;
  }
  const counter = (name: string, description: string) =>
    meter.createObservableCounter(name, { unit: 's', description });
  const user = counter(cpu.user, 'Total user CPU time spent in seconds.');
  const system = counter(cpu.system, 'Total system CPU time spent in seconds.');
  const total = counter(cpu.total, 'Total user and system CPU time spent in seconds.');
  meter.addBatchObservableCallback(
    guard((result) => {
      const usage = process.cpuUsage();
      result.observe(user, usage.user / 1e6);
      result.observe(system, usage.system / 1e6);
      result.observe(total, (usage.user + usage.system) / 1e6);
    }, 'cpu collection'),
    [user, system, total],
  );
}
