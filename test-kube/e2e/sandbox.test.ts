/** The stack's life in `sandbox --control-plane kube`: real scheduler, controllers and garbage collector. */
import { describeStackLifecycle } from '../../test/e2e/stack-scenarios.js';

describeStackLifecycle('kube');
