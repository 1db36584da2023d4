import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { bytesToHex, generateIdentityKeyPair, systemClock, systemRng } from '../../names/index.ts';
import { openUdpTransport } from '../../rendezvous/net/index.ts';
import { createEndpoint } from '../../rendezvous/socket/index.ts';

/**
 * The far end of test/socket/process.test.ts, in its own process: an endpoint on real UDP that
 * prints how to reach it (address, identity, static key) and answers every message on every
 * connection with sha256(message) ‖ u32 length. Reports each close on stdout; exits when stdin closes.
 */
const identity = generateIdentityKeyPair();
const transport = await openUdpTransport({ log: (entry) => process.stderr.write(`child transport: ${entry.code} ${entry.message}\n`) });
const endpoint = createEndpoint({ transport, clock: systemClock, rng: systemRng, identity, log: (line) => process.stderr.write(`child: ${line}\n`) });
endpoint.onConnection((connection) => {
  connection.onMessage((message) => {
    const reply = new Uint8Array(36);
    reply.set(createHash('sha256').update(message).digest());
    new DataView(reply.buffer).setUint32(32, message.length);
    connection.send(reply).catch((error: unknown) => process.stderr.write(`child: reply failed: ${String(error)}\n`));
  });
  connection.onClose((reason) => process.stdout.write(`${JSON.stringify({ closed: reason, peer: connection.peerIdentityKeyHex })}\n`));
});
process.stdout.write(`${JSON.stringify({ address: endpoint.localAddress, identityKey: bytesToHex(identity.publicKey), staticKey: bytesToHex(endpoint.staticPublicKey) })}\n`);
for await (const _ of createInterface({ input: process.stdin })) {
  // the parent only ever closes stdin
}
await endpoint.close();
