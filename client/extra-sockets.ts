import { openUdpTransport, socketDefaultTtl, type Address, type UdpTransport } from '../rendezvous/index.ts';

/**
 * The extra UDP sockets a birthday punch asks for (`<owner>/<1..n>`, rendezvous/punch
 * client-types.ts). Each binds any port on the wallet's host; a send waits until its socket is
 * bound, and a TTL send goes through UdpTransport.sendWithOptions, which restores the default
 * TTL in the send callback (docs/DECISIONS.md: a TTL set before send() applies to whatever
 * leaves on that tick). Small buffers: each socket carries a handful of punch packets.
 */
const extraSocketBufferBytes = 64 * 1024;

export type ExtraDatagramHandler = (socketKey: string, bytes: Uint8Array, from: Address) => void;

export class ExtraSockets {
  readonly #host: string;
  readonly #onDatagram: ExtraDatagramHandler;
  readonly #log: (code: string, message: string) => void;
  readonly #sockets = new Map<string, Promise<UdpTransport | undefined>>();
  #closed = false;

  constructor(host: string, onDatagram: ExtraDatagramHandler, log: (code: string, message: string) => void) {
    this.#host = host;
    this.#onDatagram = onDatagram;
    this.#log = log;
  }

  open(owner: string, count: number): void {
    for (let index = 1; index <= count; index++) {
      const key = `${owner}/${index}`;
      if (this.#sockets.has(key) || this.#closed) continue;
      const opening = openUdpTransport({ host: this.#host, port: 0, bufferBytes: extraSocketBufferBytes, log: (event) => this.#log(event.code, event.message) }).then(
        (transport) => {
          if (this.#closed || this.#sockets.get(key) !== opening) {
            void transport.close();
            return undefined;
          }
          transport.onDatagram((bytes, from) => this.#onDatagram(key, bytes, from));
          return transport;
        },
        (error: unknown) => {
          this.#log('NET_BIND_FAILED', `extra socket ${key}: ${(error as Error).message}`);
          return undefined;
        },
      );
      this.#sockets.set(key, opening);
    }
  }

  has(key: string): boolean {
    return this.#sockets.has(key);
  }

  send(key: string, bytes: Uint8Array, to: Address, ttl: number = socketDefaultTtl): void {
    const opening = this.#sockets.get(key);
    if (opening === undefined) return this.#log('PUNCH_NO_SOCKET', `send on ${key}: no such socket`);
    void opening.then((transport) => {
      if (transport === undefined) return;
      if (ttl === socketDefaultTtl) transport.send(bytes, to);
      else void transport.sendWithOptions(bytes, to, { ttl });
    });
  }

  /** Closes the owner's sockets except `keep` (the one a birthday punch established on). */
  close(owner: string, keep: string | undefined): void {
    for (const [key, opening] of [...this.#sockets]) {
      if (!key.startsWith(`${owner}/`) || key === keep) continue;
      this.#sockets.delete(key);
      void opening.then((transport) => transport?.close());
    }
  }

  async closeAll(): Promise<void> {
    this.#closed = true;
    const all = [...this.#sockets.values()];
    this.#sockets.clear();
    await Promise.all(all.map(async (opening) => (await opening)?.close()));
  }
}
