import { memoryWorld } from './harness.ts';
import { socketComplianceSuite } from './compliance.ts';

socketComplianceSuite((seed) => memoryWorld(seed));
