/**
 * What the sandbox runs its stack on: the in-memory API server with the operator as a child
 * process (`embedded`, the default: no Go needed), or the real Kubernetes control plane with the
 * operator installed by its Helm chart and run as a pod by the local node (`kube`).
 */
import type { RuntimeOptions, Runtime } from './runtime/index.js';

export type ControlPlaneKind = 'embedded' | 'kube';
export const CONTROL_PLANES: ControlPlaneKind[] = ['embedded', 'kube'];

export interface Plane {
  /** The API server's URL and an admin kubeconfig for it (already written to the state dir). */
  url: string;
  kubeconfig: string;
  /** What the local runtime needs to be a node of this plane, if it is one. */
  node?: RuntimeOptions['node'];
  /** How the runtime starts pods of the operator's own image (a backup store, agents); default: this checkout's dist/. */
  operatorCommand?: RuntimeOptions['operatorCommand'];
  /** Installs and starts the operator once the runtime runs; resolves when it is started. */
  startOperator(runtime: Runtime): Promise<OperatorHandle>;
  close(): Promise<void>;
}

export interface OperatorHandle {
  /** Where to read its log. */
  logs: string;
  /** The operator's process, when it is one of the sandbox's own (embedded only; on kube it is a pod). */
  pid?: number;
  /** Resolves with the exit code if the operator process ends by itself (embedded only). */
  exited?: Promise<number>;
  stop(): Promise<void>;
}
