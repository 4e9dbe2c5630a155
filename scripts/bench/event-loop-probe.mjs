// Preloaded into the server by the ingestion benchmarks (`node --import`): the event loop's
// delay as the process itself sees it (perf_hooks), read and reset over the IPC channel, so a
// benchmark can say what held the loop, not only how long /health took from outside.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

process.on('message', (message) => {
  if (message?.type !== 'event-loop-delay') return;
  const ms = (nanoseconds) => nanoseconds / 1e6;
  process.send?.({
    type: 'event-loop-delay',
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    count: histogram.count,
  });
  histogram.reset();
});
// The channel must not keep the server alive after it closes.
process.channel?.unref();
