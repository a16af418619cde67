import type Bottleneck from 'bottleneck';
import { lazyRequire } from './lazyRequire.js';

/** bottleneck's `Bottleneck` class, loaded when the first rate or concurrency limiter is made. */
export const bottleneckDriver: () => typeof Bottleneck = lazyRequire<typeof Bottleneck>('bottleneck');
