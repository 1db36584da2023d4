import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { bytesToHex, seededRng, x25519PublicKey } from '../../names/index.ts';
import { IdentityMismatchError, RendezvousError } from '../../rendezvous/errors.ts';
import type { Connection, ConnectionCloseReason } from '../../rendezvous/socket/index.ts';
import { messageOf, rebindingNat, type SocketWorld, type TestEndpoint } from './harness.ts';

/**
 * One suite for the socket layer in every world (STYLE 11): the same end-to-end tests over the
 * seeded in-memory network and over real UDP on loopback.
 */
export function socketComplianceSuite(makeWorld: (seed: number) => SocketWorld): void {
  const name = makeWorld(0).name;
  describe(`socket compliance: ${name}`, () => {
    const withWorld = (title: string, body: (world: SocketWorld) => Promise<void>, seed = 1): void => {
      test(title, { timeout: 120_000 }, async () => {
        const world = makeWorld(Number(process.env.PARLEY_SEED ?? seed));
        try {
          await body(world);
        } finally {
          await world.teardown();
        }
      });
    };

    withWorld('IK: connect, messages both ways, each side knows the other’s proven identity', async (world) => {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      assert.equal(toBob.peerIdentityKeyHex, bytesToHex(bob.identity.publicKey), 'alice sees bob’s identity');
      assert.equal(toAlice.peerIdentityKeyHex, bytesToHex(alice.identity.publicKey), 'bob sees alice’s identity');
      assert.equal(bytesToHex(toAlice.peerStaticKey), bytesToHex(alice.endpoint.staticPublicKey), 'bob learns alice’s static key');
      assert.ok(toBob.initiator && !toAlice.initiator, 'initiator flags');
      const atBob = collect(toAlice);
      const atAlice = collect(toBob);
      for (const word of ['one', 'two', 'three']) await toBob.send(text(word));
      await toAlice.send(text('back'));
      assert.ok(await world.until(() => atBob.length === 3 && atAlice.length === 1), `seed ${world.seed}: messages arrive`);
      assert.deepEqual(atBob.map(fromText), ['one', 'two', 'three']);
      assert.deepEqual(atAlice.map(fromText), ['back']);
      assert.ok(await world.until(() => toBob.rttMs() !== undefined), 'an RTT sample was taken');
      assert.equal(await world.settle(connectIk(alice, bob)), toBob, 'a second connect returns the open connection');
      assert.deepEqual(errorLogs(alice, bob), [], 'nothing was dropped on a clean path');
    });

    withWorld('XX: connect without the static key; the responder learns it', async (world) => {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(alice.endpoint.connect(bob.endpoint.localAddress, { remoteIdentityKey: bob.identity.publicKey }));
      const toAlice = await world.settle(inbound);
      assert.equal(bytesToHex(toBob.peerStaticKey), bytesToHex(bob.endpoint.staticPublicKey), 'XX proves the static key');
      const atBob = collect(toAlice);
      await toBob.send(text('over xx'));
      assert.ok(await world.until(() => atBob.length === 1), 'the message arrives');
      assert.equal(fromText(atBob[0]!), 'over xx');
    });

    withWorld('a peer proving another identity is refused with an error naming both identities', async (world) => {
      const [alice, bob, carol] = [await world.endpoint(), await world.endpoint(), await world.endpoint()];
      for (const pattern of ['ik', 'xx'] as const) {
        const options = { remoteIdentityKey: carol.identity.publicKey, ...(pattern === 'ik' ? { remoteStaticKey: bob.endpoint.staticPublicKey } : {}) };
        const error = await world.settle(alice.endpoint.connect(bob.endpoint.localAddress, options)).then(
          () => assert.fail(`${pattern}: connect should fail`),
          (failure: unknown) => failure,
        );
        assert.ok(error instanceof IdentityMismatchError, `${pattern}: an IdentityMismatchError, got ${String(error)}`);
        assert.equal(error.code, 'SOCKET_IDENTITY_MISMATCH');
        assert.match(error.message, new RegExp(`presented identity ${bytesToHex(bob.identity.publicKey)}`), `${pattern}: names the presented identity`);
        assert.match(error.message, new RegExp(`expected ${bytesToHex(carol.identity.publicKey)}`), `${pattern}: names the expected identity`);
        assert.equal(bytesToHex(error.presentedIdentityKey!), bytesToHex(bob.identity.publicKey), `${pattern}: presented key`);
      }
      assert.equal(alice.endpoint.connections().length, 0, 'no connection was left open');
    });

    withWorld('clean close: queued messages arrive, then both sides close with their reasons', async (world) => {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const atBob = collect(toAlice);
      const reasons: ConnectionCloseReason[] = [];
      toBob.onClose((reason) => reasons.push(reason));
      toAlice.onClose((reason) => reasons.push(reason));
      const rng = seededRng(world.seed);
      const messages = Array.from({ length: 40 }, (_, index) => messageOf(index, 1 + rng.below(20_000), rng));
      for (const message of messages) void toBob.send(message);
      await world.settle(toBob.close());
      assert.ok(await world.until(() => reasons.length === 2), 'both sides saw the close');
      assert.deepEqual(reasons.sort(), ['local-close', 'remote-close']);
      assert.equal(atBob.length, messages.length, 'every queued message arrived before the close');
      assert.ok(atBob.every((message, index) => digest(message) === digest(messages[index]!)), 'intact and in order');
      await assert.rejects(toBob.send(text('late')), (error: unknown) => error instanceof RendezvousError && error.code === 'SOCKET_CLOSED', 'send after close');
      assert.equal(alice.endpoint.connections().length + bob.endpoint.connections().length, 0, 'forgotten on both sides');
      const again = accept(bob);
      await world.settle(connectIk(alice, bob));
      await world.settle(again);
    });

    withWorld('a restarted peer (same keys, fresh state) gets a new connection at once; the old one closes as peer-restarted', async (world) => {
      const keyRng = seededRng(world.seed + 77);
      const staticSecret = keyRng.bytes(32);
      const staticKeyPair = { secretKey: staticSecret, publicKey: x25519PublicKey(staticSecret) };
      const [alice, bob] = [await world.endpoint({ staticKeyPair }), await world.endpoint()];
      let inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const atBob = collect(toAlice);
      for (let index = 0; index < 30; index++) void toBob.send(text(`old ${index}`));
      assert.ok(await world.until(() => atBob.length === 30), 'the first session carried its messages');
      const reasons: ConnectionCloseReason[] = [];
      toAlice.onClose((reason) => reasons.push(reason));
      // Alice's process "restarts": the same identity and static key, no memory of the session.
      const alice2 = await world.endpoint({ staticKeyPair, identity: alice.identity });
      inbound = accept(bob);
      const toBob2 = await world.settle(connectIk(alice2, bob));
      const toAlice2 = await world.settle(inbound);
      assert.notEqual(toAlice2, toAlice, 'bob has a new connection');
      assert.deepEqual(reasons, ['peer-restarted'], 'the old connection closed as peer-restarted');
      const [atBob2, atAlice2] = [collect(toAlice2), collect(toBob2)];
      await toBob2.send(text('fresh'));
      await toAlice2.send(text('welcome back'));
      assert.ok(await world.until(() => atBob2.length === 1 && atAlice2.length === 1), 'both directions work on the new connection');
      assert.deepEqual([...atBob2, ...atAlice2].map(fromText), ['fresh', 'welcome back']);
      assert.deepEqual(bob.logs.filter((line) => line.includes('CHANNEL_')), [], 'no stale channel state on either side');
    });

    withWorld('unreliable datagrams and rendezvous datagrams share the socket', async (world) => {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const probes: string[] = [];
      toAlice.onDatagram((bytes) => probes.push(fromText(bytes)));
      assert.ok(toBob.sendDatagram(text('probe')), 'queued');
      const foreign: { bytes: Uint8Array; from: string }[] = [];
      bob.endpoint.onForeignDatagram((bytes, from) => foreign.push({ bytes, from }));
      const punch = new Uint8Array(42).fill(0x50, 0, 1);
      await alice.endpoint.sendRaw(punch, bob.endpoint.localAddress, { ttl: 5 });
      await alice.endpoint.sendRaw(Uint8Array.of(0xee, 1, 2), bob.endpoint.localAddress);
      assert.ok(await world.until(() => probes.length === 1 && foreign.length === 1 && bob.logs.some((line) => line.includes('SOCKET_UNKNOWN_DATAGRAM'))), 'all three arrived');
      assert.equal(probes[0], 'probe');
      assert.equal(foreign[0]!.bytes[0], 0x50, 'the punch packet went to the rendezvous handler');
      assert.equal(foreign[0]!.from, alice.endpoint.localAddress);
    });

    withWorld('roaming: the peer’s address changes mid-session and messages continue', async (world) => {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const nat = await rebindingNat(world, bob.endpoint.localAddress);
      const inbound = accept(bob);
      const toBob = await world.settle(alice.endpoint.connect(nat.inside, { remoteIdentityKey: bob.identity.publicKey, remoteStaticKey: bob.endpoint.staticPublicKey }));
      const toAlice = await world.settle(inbound);
      const [atBob, atAlice] = [collect(toAlice), collect(toBob)];
      await toBob.send(text('before'));
      assert.ok(await world.until(() => atBob.length === 1), 'first message');
      const before = toAlice.remoteAddress;
      assert.equal(before, nat.outside());
      await nat.rebind();
      await toBob.send(text('after'));
      assert.ok(await world.until(() => atBob.length === 2), 'a message from the new address arrives');
      assert.equal(toAlice.remoteAddress, nat.outside(), 'bob now answers the new address');
      assert.notEqual(toAlice.remoteAddress, before);
      await toAlice.send(text('reply'));
      assert.ok(await world.until(() => atAlice.length === 1), 'and the reply reaches alice through the new mapping');
      assert.deepEqual([...atBob, ...atAlice].map(fromText), ['before', 'after', 'reply']);
    });

    withWorld('many peers: one endpoint serves many sessions at once', async (world) => {
      const server = await world.endpoint();
      const served: Connection[] = [];
      server.endpoint.onConnection((connection) => {
        served.push(connection);
        connection.onMessage((message) => void connection.send(new Uint8Array(createHash('sha256').update(message).digest())));
      });
      const clients = await Promise.all(Array.from({ length: 24 }, () => world.endpoint()));
      const connections = await world.settle(Promise.all(clients.map((client) => connectIk(client, server))));
      const replies = connections.map((connection) => collect(connection));
      connections.forEach((connection, index) => void connection.send(text(`client ${index}`)));
      assert.ok(await world.until(() => replies.every((list) => list.length === 1)), 'every client got its answer');
      replies.forEach((list, index) => assert.equal(bytesToHex(list[0]!), digest(text(`client ${index}`)), `client ${index}: its own answer`));
      assert.equal(server.endpoint.connections().length, clients.length);
      assert.equal(new Set(served.map((connection) => connection.peerIdentityKeyHex)).size, clients.length, 'one connection per identity');
    });

    withWorld('beyond connectionsMax an inbound session is closed at once', async (world) => {
      const server = await world.endpoint({ limits: { connectionsMax: 2 } });
      const clients = [await world.endpoint(), await world.endpoint(), await world.endpoint()];
      const connections: Connection[] = [];
      for (const client of clients) {
        const connection = await world.settle(connectIk(client, server));
        await connection.send(text('hello'));
        connections.push(connection);
      }
      const reasons: ConnectionCloseReason[] = [];
      connections[2]!.onClose((reason) => reasons.push(reason));
      assert.ok(await world.until(() => reasons.length === 1), 'the third one was closed');
      assert.deepEqual(reasons, ['remote-close']);
      assert.equal(server.endpoint.connections().length, 2);
      assert.ok(server.logs.some((line) => line.includes('SOCKET_TOO_MANY_CONNECTIONS')), 'logged');
    });

    withWorld('a relayed path: routes and injected datagrams carry an XX handshake and messages', async (world) => {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const aliceHex = bytesToHex(alice.identity.publicKey);
      const bobHex = bytesToHex(bob.identity.publicKey);
      const relayed = { toBob: 0, toAlice: 0 };
      // A stand-in for the agent's relay: each side's datagrams reach the other as injected ones.
      const relayAddress = '192.0.2.1:9' as const;
      alice.endpoint.setRoute(bobHex, (datagram) => {
        relayed.toBob++;
        queueMicrotask(() => bob.endpoint.injectDatagram(datagram, relayAddress, { peerIdentityKeyHex: aliceHex }));
      });
      bob.endpoint.setRoute(aliceHex, (datagram) => {
        relayed.toAlice++;
        queueMicrotask(() => alice.endpoint.injectDatagram(datagram, relayAddress, { peerIdentityKeyHex: bobHex }));
      });
      const inbound = accept(bob);
      const toBob = await world.settle(alice.endpoint.connect('198.51.100.7:1' as const, { remoteIdentityKey: bob.identity.publicKey }));
      const toAlice = await world.settle(inbound);
      const atBob = collect(toAlice);
      await toBob.send(text('via the relay'));
      assert.ok(await world.until(() => atBob.length === 1), 'the message arrives');
      assert.ok(relayed.toBob >= 3 && relayed.toAlice >= 2, `every datagram took the route (${relayed.toBob}, ${relayed.toAlice})`);
    });
  });
}

export function accept(side: TestEndpoint): Promise<Connection> {
  return new Promise((resolve) => side.endpoint.onConnection(resolve));
}

export function connectIk(from: TestEndpoint, to: TestEndpoint): Promise<Connection> {
  return from.endpoint.connect(to.endpoint.localAddress, { remoteIdentityKey: to.identity.publicKey, remoteStaticKey: to.endpoint.staticPublicKey });
}

export function collect(connection: Connection): Uint8Array[] {
  const messages: Uint8Array[] = [];
  connection.onMessage((message) => messages.push(message));
  return messages;
}

/** Logged drops other than the ones a clean run can see (none are expected). */
function errorLogs(...sides: TestEndpoint[]): string[] {
  return sides.flatMap((side) => side.logs);
}

export function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

export function fromText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
