/** Samples a counter and the process RSS at a fixed interval, for the plot: events stored over time. */

/** [seconds since start, events stored, RSS in MB]. */
export type Sample = [number, number, number];

export interface Timeline {
  stop(): Sample[];
}

export function startTimeline(count: () => number, everyMs = 200): Timeline {
  const started = performance.now();
  const samples: Sample[] = [];
  const take = (): void => {
    samples.push([round((performance.now() - started) / 1000, 3), count(), round(process.memoryUsage.rss() / 2 ** 20, 1)]);
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** At most `max` samples, evenly spread, the last one kept: enough for a plot, small in the JSON. */
export function downsample(samples: readonly Sample[], max = 300): Sample[] {
  if (samples.length <= max) return samples.slice();
  const step = (samples.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => samples[Math.round(i * step)] as Sample);
}
