/** Writes and reads of the built-in kinds and the WebStack CRD, through kubectl: stored objects, defaults, tables, errors. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { fileURLToPath } from 'node:url';
import { deployment, job, overCostCrd, pod, services, smallObjects, statefulSet } from './manifests.js';
import { firstLine, parsed, pick, stableJob } from './normalise.js';
import { apply, http, kubectl, objectAnswer, op, textAnswer, type Operation, type Step } from './operation.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webstackCrd = readFileSync(path.join(REPO, 'crds/webstack.yaml'), 'utf8');
const minimalStack = readFileSync(path.join(REPO, 'examples/minimal.yaml'), 'utf8');

const withWebStackCrd: Step[] = [
  { kubectl: ['apply', '--server-side', '-f', '-'], stdin: webstackCrd },
  { kubectl: ['wait', '--for=condition=Established', 'crd/webstacks.webstack.dev', '--timeout=30s'] },
  // kube-apiserver publishes an established CRD's OpenAPI a moment later; kubectl explain reads it.
  { kubectl: ['explain', 'webstack'], retryMs: 30_000 },
];

const created = (manifest: string) => kubectl(['create', '-f', '-', '-o', 'json'], manifest);

/** A pod's service-account token volume has a random suffix; its presence is what counts. */
const stablePod = (text: string): string => text.replace(/kube-api-access-[a-z0-9]{5}/g, 'kube-api-access-<suffix>');

export const objectOperations: Operation[] = [
  op('create Deployment (defaults, quantities)', created(deployment), objectAnswer),
  op('create StatefulSet (defaults, claim templates)', created(statefulSet), objectAnswer),
  op('create Services (ClusterIP, headless, LoadBalancer)', created(services), objectAnswer),
  op('create Pod (defaults, admission)', created(pod), (o) => objectAnswer({ ...o, stdout: stablePod(o.stdout) })),
  op('create Job (defaults, generated selector)', created(job), (o) => objectAnswer({ ...o, stdout: JSON.stringify(stableJob(parsed(o.stdout))) })),
  op('create ConfigMap, Secret, ServiceAccount, PVC, PDB, NetworkPolicy, Lease', created(smallObjects), objectAnswer),
  op('server-side apply Deployment', kubectl(['apply', '--server-side', '-f', '-', '-o', 'json'], deployment), objectAnswer),
  op('apply twice: unchanged', apply(deployment), textAnswer, [apply(deployment)]),
  op('apply a change: configured', apply(deployment.replace('shop:1.4', 'shop:1.5')), textAnswer, [apply(deployment)]),
  op('kubectl diff of a changed Deployment', kubectl(['diff', '-f', '-'], deployment.replace('shop:1.4', 'shop:1.5')), (o) => ({
    code: o.code,
    changed: o.stdout.split('\n').filter((l) => /^[-+] /.test(l)).map((l) => l.replace(/\s+/g, ' ')),
    err: firstLine(o.stderr),
  }), [apply(deployment)]),
  op('scale Deployment', kubectl(['scale', 'deployment/web', '--replicas=3']), textAnswer, [apply(deployment)]),
  op('strategic merge patch of containers', kubectl(['patch', 'deployment/web', '-o', 'json', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"shop:2"}]}}}}']), (o) => ({
    // By the time of the patch the real Deployment controller has written status and a revision annotation; the patch is about the spec.
    ...objectAnswer(o) as object, object: pick(parsed(o.stdout), ['spec']),
  }), [apply(deployment)]),
  op('label and annotate', kubectl(['label', 'configmap/settings', 'tier=x', '-o', 'json']), objectAnswer, [apply(smallObjects), kubectl(['annotate', 'configmap/settings', 'note=y'])]),
  // By name: the real controllers add objects of their own to each namespace (kube-root-ca.crt, the default ServiceAccount).
  op('get tables of every kind used', kubectl(['get', 'deploy/web', 'sts/db', 'svc/web', 'svc/db', 'svc/lb', 'cm/settings', 'secret/creds', 'sa/robot', 'pvc/data', 'pdb/web', 'netpol/web', 'lease/leader']), textAnswer, [
    apply(deployment.replace('metadata: {name: web, labels: {app: web}}\nspec:', 'metadata: {name: web, labels: {app: web}}\nspec:\n  replicas: 0')),
    apply(statefulSet), apply(services), apply(smallObjects),
  ]),
  op('get -o wide', kubectl(['get', 'deploy,sts,svc', '-o', 'wide']), textAnswer, [
    apply(deployment.replace('metadata: {name: web, labels: {app: web}}\nspec:', 'metadata: {name: web, labels: {app: web}}\nspec:\n  replicas: 0')),
    apply(statefulSet), apply(services),
  ]),
  op('get a missing object', kubectl(['get', 'deployment/missing']), textAnswer),
  op('create a duplicate', kubectl(['create', '-f', '-'], smallObjects), textAnswer, [kubectl(['create', '-f', '-'], smallObjects)]),
  op('create an invalid name', kubectl(['create', 'configmap', 'Bad_Name']), textAnswer),
  op('create an invalid Deployment (selector does not match labels)', kubectl(['create', '-f', '-'], deployment.replace('metadata: {labels: {app: web}}', 'metadata: {labels: {app: other}}')), textAnswer),
  op('delete namespace default', { kubectl: ['delete', 'namespace', 'default', '--dry-run=server'] }, textAnswer),
  op('delete namespace kube-system', { kubectl: ['delete', 'namespace', 'kube-system', '--dry-run=server'] }, textAnswer),
  op('delete namespace kube-public', { kubectl: ['delete', 'namespace', 'kube-public', '--dry-run=server'] }, textAnswer),
  op('delete a Deployment', kubectl(['delete', 'deployment/web']), textAnswer, [apply(deployment)]),
  op('kubectl create role', kubectl(['create', 'role', 'reader', '--verb=get,list,watch', '--resource=pods,deployments.apps', '-o', 'json']), objectAnswer),
  op('kubectl create rolebinding', kubectl(['create', 'rolebinding', 'reader', '--role=reader', '--serviceaccount={ns}:robot', '-o', 'json']), objectAnswer),
  op('kubectl create job', kubectl(['create', 'job', 'once', '--image=busybox:1.36', '-o', 'json']), (o) => objectAnswer({ ...o, stdout: JSON.stringify(stableJob(parsed(o.stdout))) })),
  op('kubectl create secret and configmap', kubectl(['create', 'secret', 'generic', 's', '--from-literal=k=v', '-o', 'json']), objectAnswer),
  op('kubectl auth can-i (allowed)', kubectl(['auth', 'can-i', 'create', 'deployments.apps']), textAnswer),
  op('kubectl auth can-i as a service account (denied)', kubectl(['auth', 'can-i', 'delete', 'pods', '--as=system:serviceaccount:{ns}:robot']), textAnswer),
  op('kubectl rollout status StatefulSet', kubectl(['rollout', 'status', 'sts/db', '--timeout=5s']), (o) => ({
    // Progress depends on the StatefulSet controller; that kubectl can follow the rollout at all is what counts.
    supported: !/only available for RollingUpdate/.test(o.stderr),
  }), [apply(statefulSet)]),
  op('kubectl logs of an unscheduled pod', kubectl(['logs', 'pod/p']), textAnswer, [apply(pod)]),
  op('kubectl explain deployment.spec.strategy', kubectl(['explain', 'deployment.spec.strategy']), textAnswer),
  op('CRD with an over-cost CEL rule', { kubectl: ['create', '-f', '-'], stdin: overCostCrd }, (o) => ({ code: o.code, costRefused: /cost/i.test(o.stderr), invalid: /is invalid/.test(o.stderr) })),
  op('the WebStack CRD and a minimal stack', kubectl(['apply', '--server-side', '-f', '-', '-o', 'json'], minimalStack), objectAnswer, withWebStackCrd),
  op('kubectl explain webstack.spec.database', kubectl(['explain', 'webstack.spec.database']), textAnswer, withWebStackCrd),
  op("the operator's server-side apply over HTTP, managedFields included", http('PATCH', '/apis/apps/v1/namespaces/{ns}/deployments/web?fieldManager=webstack-operator&force=true', JSON.stringify(parse(deployment)), { contentType: 'application/apply-patch+yaml' }), (o) => {
    // Only what the apply answered: metadata (managedFields included) and spec; status is the controller's.
    const answer = objectAnswer(o) as { object: { metadata?: unknown; spec?: unknown } };
    return { ...answer, object: { metadata: answer.object.metadata, spec: answer.object.spec } };
  }),
  op("the operator's status write: merge patch of a WebStack's status", http('PATCH', '/apis/webstack.dev/v1alpha1/namespaces/{ns}/webstacks/shop/status', {
    status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'Progressing', message: 'creating', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 }] },
  }, { contentType: 'application/merge-patch+json' }), objectAnswer, [...withWebStackCrd, kubectl(['apply', '-f', '-'], minimalStack)]),
  op('kubectl get webstacks (printer columns)', kubectl(['get', 'webstacks']), textAnswer, [...withWebStackCrd, kubectl(['apply', '-f', '-'], minimalStack)]),
  op('an Event through events.k8s.io/v1, read back as core/v1', kubectl(['get', 'events', '-o', 'json']), (o) => objectAnswer({ ...o, stdout: JSON.stringify(pick(parsed(o.stdout), ['items'])) }), [
    http('POST', '/apis/events.k8s.io/v1/namespaces/{ns}/events', {
      metadata: { name: 'shop.1' }, eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'webstack.dev/operator', reportingInstance: 'op-1',
      action: 'Reconcile', reason: 'Created', note: 'created Deployment shop-web', type: 'Normal', regarding: { kind: 'WebStack', namespace: '{ns}', name: 'shop', apiVersion: 'webstack.dev/v1alpha1' },
    }),
  ]),
];
