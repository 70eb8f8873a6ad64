import type { DiagLogger, Meter } from '@opentelemetry/api';
import type { CaptureReason } from '@vigil/store';
import type { CaptureRecorder } from './capture-recorder.ts';
import type { CpuFollower } from './cpu-profiler.ts';

const REASON: CaptureReason = { kind: 'continuous' };

export interface ContinuousUploadsOptions {
  periodMillis: number;
  follower: CpuFollower;
  captures: CaptureRecorder;
  meter: Meter;
  diag: DiagLogger;
  reportError: (error: unknown, what: string) => void;
}

export interface ContinuousUploads {
  /** Stops the timer and waits for an upload in flight; the period in progress is not uploaded. */
  stop(): Promise<void>;
}

/**
 * `VIGIL_CONTINUOUS`: every period, the period's CPU profile (cut from the flight recorder's stream, span labels and
 * all) and the in-use heap go to the store as captures of reason `continuous`. Never in the app's way: the timer is
 * unref()ed, an upload never overlaps the next (a period whose upload is still running is skipped, and the next
 * upload covers both), and a failed upload is logged and counted, never thrown.
 */
export function startContinuousUploads(options: ContinuousUploadsOptions): ContinuousUploads {
  const uploads = options.meter.createCounter('vigil.continuous.uploads', {
    description: 'Continuous profile uploads, by type and outcome (stored, failed, skipped while the previous ran).',
  });
  const bytes = options.meter.createCounter('vigil.continuous.bytes', {
    description: 'Bytes of continuous profiles stored, by type.',
    unit: 'By',
  });
  let inFlight: Promise<void> | undefined;

  const store = async (
    type: 'cpu' | 'heap',
    put: () => Promise<{ metadata: { bytes: number } } | undefined>,
  ): Promise<void> => {
    try {
      const stored = await put();
      if (stored === undefined) return;
      uploads.add(1, { type, outcome: 'stored' });
      bytes.add(stored.metadata.bytes, { type });
    } catch (error) {
      uploads.add(1, { type, outcome: 'failed' });
      options.reportError(error, `uploading the continuous ${type} profile`);
    }
  };

  const upload = async (): Promise<void> => {
    const window = options.follower.take(); // synchronous: the period ends here, exactly where the next begins
    await store('cpu', async () =>
      window === undefined
        ? undefined
        : options.captures.storeCpu(window.profile, window.startMillis, window.endMillis, REASON),
    );
    await store('heap', () => options.captures.captureHeap(REASON));
  };

  const timer = setInterval(() => {
    if (inFlight !== undefined) {
      // Its window keeps filling: the next upload covers this period too, so nothing is lost but a request.
      for (const type of ['cpu', 'heap']) uploads.add(1, { type, outcome: 'skipped' });
      options.diag.warn(
        'a continuous upload is still running at the next period: skipped this one (the next covers both)',
      );
      return;
    }
    inFlight = upload()
      .catch((error: unknown) => options.reportError(error, 'a continuous upload'))
      .finally(() => (inFlight = undefined));
  }, options.periodMillis);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      options.follower.close();
    },
  };
}
