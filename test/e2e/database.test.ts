/** Failover under writes in the sandbox on the in-memory API server; test-kube/ runs it on the real one. */
import { describeDatabaseFailover } from './database-scenarios.js';

describeDatabaseFailover('embedded');
