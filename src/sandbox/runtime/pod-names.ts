/** How workload controllers name and label the pods they make, as Kubernetes does. */
import { createHash, randomInt } from 'node:crypto';

export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';
export const LABEL_REVISION_HASH = 'controller-revision-hash';
export const LABEL_STS_POD_NAME = 'statefulset.kubernetes.io/pod-name';
export const LABEL_POD_INDEX = 'apps.kubernetes.io/pod-index';

// Kubernetes leaves vowels and look-alike digits out of generated names so they never spell words.
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with sorted keys, so equal templates hash equal whatever order their fields came in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short hash of a pod template: a change of template is a new revision. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(stableJson(template)).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE_ALPHABET[digest[i] % SAFE_ALPHABET.length];
  return out;
}

export function randomSuffix(length = 5, pick: (n: number) => number = randomInt): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[pick(SAFE_ALPHABET.length)];
  return out;
}

/** `<deployment>-<template hash>-<random>`, like a ReplicaSet's pods. */
export function deploymentPodName(deployment: string, hash: string, suffix: string = randomSuffix()): string {
  return `${deployment}-${hash}-${suffix}`;
}

/** `<statefulset>-<ordinal>`: stable identity, reused when the pod is recreated. */
export function statefulPodName(statefulSet: string, ordinal: number): string {
  return `${statefulSet}-${ordinal}`;
}

/** The ordinal of a StatefulSet pod, or undefined when the name is not `<sts>-<n>`. */
export function statefulPodOrdinal(statefulSet: string, podName: string): number | undefined {
  const prefix = `${statefulSet}-`;
  if (!podName.startsWith(prefix)) return undefined;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/** The PersistentVolumeClaim a StatefulSet pod mounts for one of its volumeClaimTemplates. */
export function claimName(template: string, statefulSet: string, ordinal: number): string {
  return `${template}-${statefulSet}-${ordinal}`;
}
