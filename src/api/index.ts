/** The WebStack API: types, defaults, names and labels, validation and the CRD. */
export * from './types.js';
export * from './defaults.js';
export * from './labels.js';
export { validateWebStack, formatValidationErrors, parseWebStack, type ValidationError, type ValidateOptions, type ParseResult } from './validate.js';
export { webStackCrd, webStackCrdYaml, CRD_NAME, CRD_FILE } from './crd.js';
export { webStackSchema } from './schema.js';
