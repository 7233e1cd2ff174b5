/** The operator's Prometheus metrics, in a registry of its own (two operators may share a process in tests). */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'webstack_reconcile_total', help: 'Reconciles by result.', labelNames: ['result'], registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'webstack_reconcile_errors_total', help: 'Reconciles that failed and were requeued with backoff.', registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'webstack_reconcile_duration_seconds', help: 'Time per reconcile, by result.', labelNames: ['result'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'webstack_workqueue_depth', help: 'Keys waiting in the work queue.', registers: [this.registry] });
  readonly leader = new Gauge({ name: 'webstack_leader', help: '1 while this instance holds the leader lease.', registers: [this.registry] });

  /** `requestCounts` is read at scrape time: the client counts, the metric reports. */
  constructor(requestCounts: () => Record<string, number>, defaultMetrics = true) {
    new Gauge({
      name: 'webstack_api_requests', help: 'API server requests made by this instance since it started, by verb.',
      labelNames: ['verb'], registers: [this.registry],
      collect() {
        for (const [verb, n] of Object.entries(requestCounts())) this.set({ verb }, n);
      },
    });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
