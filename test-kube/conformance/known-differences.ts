/**
 * The differences between the in-memory API server and kube-apiserver that stay, each with its
 * reason, keyed `operation :: path` as the suite reports them.
 */
export const knownDifferences: Record<string, string> = {};
