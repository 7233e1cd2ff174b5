/**
 * How much V8's old generation may grow between full collections. Under a heap limit of 256 MB or
 * less (the chart's is 160 MB) V8 lets it grow by at most 30%, so an operator whose caches fill while
 * thousands of stacks converge marks its whole heap every few hundred milliseconds. V8's flag for it,
 * --heap-growing-percent, is not one NODE_OPTIONS may carry, so `run` sets it when asked; the limit
 * (--max-old-space-size) still bounds the heap.
 */
import { setFlagsFromString } from 'node:v8';

export function setHeapGrowingPercent(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
