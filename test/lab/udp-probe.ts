/**
 * A tiny UDP tool run inside lab namespaces.
 *   echo ADDRESS:PORT...    answer every datagram with the observed source "address:port"
 *   probe DEST...           from ONE socket, ask each echo DEST and print the observed mappings as JSON
 *   listen PORT MS          print every datagram's source as JSON lines for MS milliseconds
 *   send DEST TEXT [TTL]    send TEXT once from a fresh socket, with an optional IP TTL
 */
import { createSocket } from 'node:dgram';

const [mode, ...args] = process.argv.slice(2);

function split(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

if (mode === 'echo') {
  // One socket per address, so each reply leaves from the address it was sent to.
  let bound = 0;
  for (const local of args) {
    const socket = createSocket('udp4');
    socket.on('message', (_data, remote) => socket.send(`${remote.address}:${remote.port}`, remote.port, remote.address));
    const { host, port } = split(local);
    socket.bind(port, host, () => {
      if (++bound === args.length) console.log('ready');
    });
  }
} else if (mode === 'probe') {
  const socket = createSocket('udp4');
  const observed: Record<string, string> = {};
  const timer = setTimeout(() => {
    console.log(JSON.stringify(observed));
    process.exit(1);
  }, 3000);
  socket.on('message', (data, remote) => {
    observed[`${remote.address}:${remote.port}`] = data.toString();
    if (Object.keys(observed).length === args.length) {
      clearTimeout(timer);
      console.log(JSON.stringify(observed));
      socket.close();
    }
  });
  socket.bind(40000, () => {
    for (const destination of args) {
      const { host, port } = split(destination);
      socket.send('probe', port, host);
    }
  });
} else if (mode === 'listen') {
  const socket = createSocket('udp4');
  socket.on('message', (data, remote) => console.log(JSON.stringify({ from: `${remote.address}:${remote.port}`, text: data.toString() })));
  socket.bind(Number(args[0]), () => console.log('ready'));
  setTimeout(() => socket.close(), Number(args[1]));
} else if (mode === 'send') {
  const socket = createSocket('udp4');
  const { host, port } = split(args[0]!);
  socket.bind(0, () => {
    if (args[2] !== undefined) socket.setTTL(Number(args[2]));
    socket.send(args[1]!, port, host, () => socket.close());
  });
} else {
  console.error(`udp-probe: unknown mode ${mode}`);
  process.exit(2);
}
