import { udpWorld } from './harness.ts';
import { socketComplianceSuite } from './compliance.ts';

// Both UDP paths: the batched native one where rendezvous/native/ is built (else node:dgram), and node:dgram alone.
socketComplianceSuite((seed) => udpWorld(seed));
socketComplianceSuite((seed) => udpWorld(seed, { native: false }));
