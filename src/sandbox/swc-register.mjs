// Runs TypeScript sources in a process whose working directory is not the repository (a sandbox
// pod's): the loader is resolved from here, not from the working directory as
// @swc-node/register/esm-register does. See OPERATOR_FROM_SOURCE in runtime/index.ts.
import { register } from 'node:module';

register('@swc-node/register/esm', import.meta.url);
