/** The stack's life in the sandbox on the in-memory API server; test-kube/ runs it on the real one. */
import { describeStackLifecycle } from './stack-scenarios.js';

describeStackLifecycle('embedded');
