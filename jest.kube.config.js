/**
 * The suite on the real control plane (test-kube/): etcd, kube-apiserver, kube-controller-manager
 * and kube-scheduler built by `npm run cluster:build`. One worker: each file starts a control plane.
 */
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test-kube'],
  maxWorkers: 1,
  testTimeout: 300000,
};
