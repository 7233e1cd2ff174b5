/**
 * Watches the sandbox's stacks once a second and tells the terminal what happens: until a stack is
 * Ready, how its Ready condition reads and what each pod that isn't Ready waits for; its URL once
 * it is Ready; afterwards every Event about it (failovers with the old and new primary,
 * switchovers, quarantines) and every change of Ready.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { LABEL_STACK } from '../api/labels.js';
import { GROUP, PLURAL, VERSION, type WebStack } from '../api/types.js';
import { eventKey, eventLine, podWaitsFor, readyLine, type ReadyCondition } from './progress.js';

export interface StackRef { namespace: string; name: string }

export interface MonitorOptions {
  kc: KubeConfig;
  stacks: StackRef[];
  say: (line: string) => void;
  /** The address on this host that answers for a stack's load balancer Service, once there is one. */
  url: (stack: StackRef) => string | undefined;
  /** Called once, when every stack has been Ready. */
  onAllReady: () => void;
  signal: AbortSignal;
}

interface Seen { ready?: boolean; line?: string; pods: Map<string, string>; urlShown: boolean }

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const done = () => {
    clearTimeout(t);
    signal.removeEventListener('abort', done);
    resolve();
  };
  const t = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

/** Runs until `signal` aborts; never prints after that. */
export async function monitorStacks(opts: MonitorOptions): Promise<void> {
  const custom = opts.kc.makeApiClient(CustomObjectsApi);
  const core = opts.kc.makeApiClient(CoreV1Api);
  const say = (line: string) => { if (!opts.signal.aborted) opts.say(line); };
  const seen = new Map<string, Seen>(opts.stacks.map((s) => [`${s.namespace}/${s.name}`, { pods: new Map(), urlShown: false }]));
  const printedEvents = new Set<string>();
  let allReadyReported = false;
  while (!opts.signal.aborted) {
    for (const s of opts.stacks) {
      const state = seen.get(`${s.namespace}/${s.name}`)!;
      let ready: ReadyCondition | undefined;
      try {
        const ws = await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: s.namespace, plural: PLURAL, name: s.name }) as WebStack;
        ready = ws.status?.conditions?.find((c) => c.type === 'Ready');
      } catch {
        continue;
      }
      const isReady = ready?.status === 'True';
      const line = readyLine(ready);
      if (!state.urlShown) {
        if (line !== state.line) say(`${s.name}: ${line}`);
        const pods = await core.listNamespacedPod({ namespace: s.namespace, labelSelector: `${LABEL_STACK}=${s.name}` }).catch(() => undefined);
        if (pods) reportPods(s, pods.items, state, say);
      } else if (isReady !== state.ready) {
        say(isReady ? `${s.name} is Ready again` : `${s.name} is not Ready: ${line}`);
      }
      state.line = line;
      state.ready = isReady;
      if (isReady && !state.urlShown) {
        const url = opts.url(s);
        if (url) {
          state.urlShown = true;
          say(`\n${s.name} is Ready: ${url}`);
        }
      }
    }
    await reportEvents(core, opts.stacks, printedEvents, say);
    if (!allReadyReported && [...seen.values()].every((s) => s.urlShown)) {
      allReadyReported = true;
      if (!opts.signal.aborted) opts.onAllReady();
    }
    await sleep(1000, opts.signal);
  }
}

function reportPods(s: StackRef, pods: V1Pod[], state: Seen, say: (line: string) => void): void {
  const now = new Map<string, string>();
  for (const pod of pods) {
    const waits = podWaitsFor(pod);
    if (waits) now.set(pod.metadata!.name!, waits);
  }
  for (const [pod, waits] of now) if (state.pods.get(pod) !== waits) say(`  ${s.name}: pod ${pod}: ${waits}`);
  state.pods = now;
}

async function reportEvents(core: CoreV1Api, stacks: StackRef[], printed: Set<string>, say: (line: string) => void): Promise<void> {
  const wanted = new Set(stacks.map((s) => `${s.namespace}/${s.name}`));
  for (const namespace of new Set(stacks.map((s) => s.namespace))) {
    const events = await core.listNamespacedEvent({ namespace }).catch(() => undefined);
    const fresh = (events?.items ?? [])
      .filter((e) => wanted.has(`${namespace}/${e.involvedObject?.name}`) && !printed.has(eventKey(e)))
      .sort((a, b) => new Date(a.lastTimestamp ?? 0).getTime() - new Date(b.lastTimestamp ?? 0).getTime());
    for (const e of fresh) {
      printed.add(eventKey(e));
      const line = eventLine(e);
      if (line) say(line);
    }
  }
}
