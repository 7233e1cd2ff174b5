/** Failover under writes through the app in `sandbox --control-plane kube`, the operator running as a pod. */
import { describeDatabaseFailover } from '../../test/e2e/database-scenarios.js';

describeDatabaseFailover('kube');
