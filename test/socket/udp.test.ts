import { udpWorld } from './harness.ts';
import { socketComplianceSuite } from './compliance.ts';

socketComplianceSuite((seed) => udpWorld(seed));
