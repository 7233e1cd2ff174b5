/** Shared set-up for the HTTP-level tests: a real server on loopback and client-node clients for it. */
import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../../../src/sandbox/apiserver/index.js';

export interface Harness {
  server: RunningApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  extensions: ApiextensionsV1Api;
}

export async function startHarness(opts: ApiServerOptions = {}): Promise<Harness> {
  const server = await startApiServer({ port: 0, ...opts });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  return {
    server,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    extensions: kc.makeApiClient(ApiextensionsV1Api),
  };
}

export const fixturePath = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

export function widgetCrd(): V1CustomResourceDefinition {
  return parse(readFileSync(fixturePath('widget-crd.yaml'), 'utf8')) as V1CustomResourceDefinition;
}

/**
 * Creates a CRD from its manifest as is. (client-node's typed clients serialize through their
 * models, which drop the x-kubernetes-* schema keys when given plain YAML.)
 */
export async function createCrd(h: Harness, crd: unknown): Promise<void> {
  const res = await fetch(`${h.server.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(crd),
  });
  if (res.status !== 201) throw new Error(`creating the CRD failed: ${res.status} ${await res.text()}`);
}

export async function installWidgetCrd(h: Harness): Promise<void> {
  await createCrd(h, widgetCrd());
}

export interface StatusBody {
  code: number;
  reason: string;
  message: string;
  details?: { name?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] };
}

/** The HTTP code and metav1.Status of a failed client-node call. */
export async function failure(call: Promise<unknown>): Promise<StatusBody> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw err;
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as StatusBody) : (e.body as StatusBody);
    return { ...body, code: e.code };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Polls until `check` stops throwing (or returns true), for things that settle asynchronously. */
export async function eventually<T>(check: () => T | false | Promise<T | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== false) return v as T;
      if (Date.now() > deadline) throw new Error('condition still false');
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function rawGet(h: Harness, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${h.server.url}${path}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

export async function rawRequest(h: Harness, method: string, path: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${h.server.url}${path}`, { method, headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
