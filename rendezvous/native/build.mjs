// Builds rendezvous/native/parley_udp.node at `npm ci` / `npm install` (the package's install
// script). Optional: when it cannot build (not Linux, no compiler, no Node headers on this
// machine) it says why and exits 0, and rendezvous/net/udp.ts uses node:dgram alone.
// It never lets node-gyp download headers: the Node headers come from --nodedir (npm's
// `nodedir` setting, else the include/node beside this node binary, as distribution packages
// and the official tarballs install them). PARLEY_UDP_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const skip = (reason) => {
  process.stderr.write(`parley: native UDP batching not built (${reason}); node:dgram alone is used\n`);
  process.exit(0);
};

if (process.env.PARLEY_UDP_NATIVE === '0') skip('PARLEY_UDP_NATIVE=0');
if (process.platform !== 'linux') skip(`${process.platform} has no sendmmsg/UDP GSO`);

const hasHeaders = (directory) => existsSync(join(directory, 'include', 'node', 'node_api.h')) && existsSync(join(directory, 'include', 'node', 'common.gypi'));
const nodedir = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')].find((directory) => directory && hasHeaders(directory));
if (nodedir === undefined) skip('no Node headers on this machine (include/node beside node, or npm config nodedir)');

const npmBundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const nodeGyp = [process.env.npm_config_node_gyp, npmBundled].find((file) => file && existsSync(file));
if (nodeGyp === undefined) skip('node-gyp not found (npm bundles it)');

const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--directory', here, `--nodedir=${nodedir}`, '--loglevel=warn'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, npm_config_nodedir: nodedir } });
if (result.status !== 0) skip(`node-gyp exited with ${result.status ?? result.signal}`);
process.stderr.write('parley: native UDP batching built (rendezvous/native/build/Release/parley_udp.node)\n');
