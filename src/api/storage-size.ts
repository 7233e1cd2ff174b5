/** The size of a volume a stack asks for: a whole quantity, the only spelling its PersistentVolumeClaims take. */
export const STORAGE_SIZE = {
  pattern: '^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$',
  patternMeans: 'must be a positive whole quantity such as 10Gi or 500Mi',
};
