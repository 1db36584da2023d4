/**
 * A network-namespace lab with real Linux NATs (netfilter), for the hole-punching tests.
 *
 *   host k (10.77.k.2) ── lan │ NAT k │ wan (198.18.k.2) ── inet router ── agent (198.18.0.2, .3)
 *
 * The "internet" is a router namespace (it decrements TTL, so a low-TTL opening packet dies
 * there, before the far NAT). Addresses exist only inside this run's namespaces. Namespace
 * names carry the owning pid so a later run can sweep what a killed run left behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export type NatKind = 'open' | 'full-cone' | 'port-restricted' | 'symmetric';

export type HostSpec = { nat: NatKind; firewall: boolean };

export type LabHost = {
  readonly namespace: string;
  readonly spec: HostSpec;
  /** The host's own address (private behind a NAT, public when open). */
  readonly address: string;
  /** The NAT's public address (the host's own address when open). */
  readonly publicAddress: string;
  readonly routerNamespace: string | undefined;
};

export type Lab = {
  readonly id: string;
  readonly agentNamespace: string;
  readonly agentAddress: string;
  readonly agentSecondAddress: string;
  readonly hosts: readonly LabHost[];
  /** Runs a command inside a namespace and returns its stdout. */
  exec(namespace: string, argv: string[]): string;
  /** Starts a long-running process inside a namespace; it is killed on destroy(). `stdin: 'pipe'` lets the caller write to it. */
  spawn(namespace: string, argv: string[], stdin?: 'ignore' | 'pipe'): ChildProcess;
  destroy(): void;
};

const PREFIX = 'plab';
const INTERNET_PREFIX = '198.18';
const children = new Set<ChildProcess>();

/** Why the lab cannot run here, or undefined when it can. */
export function labUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'iptables', 'conntrack']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (.ci/run installs it with apt)`;
    }
  }
  const probe = `${PREFIX}${process.pid}probe`;
  try {
    run(['ip', 'netns', 'add', probe]);
    run(['ip', 'netns', 'del', probe]);
  } catch (error) {
    return `ip netns add failed: ${(error as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

/** Deletes namespaces left by lab runs whose process is gone (a SIGKILLed test run). */
export function sweepStaleNamespaces(): void {
  const listed = run(['ip', 'netns', 'list']).split('\n');
  for (const line of listed) {
    const name = line.split(' ')[0] ?? '';
    const match = /^plab(\d+)_/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !processAlive(pid)) tryRun(['ip', 'netns', 'del', name]);
  }
}

export function createLab(specs: readonly HostSpec[]): Lab {
  sweepStaleNamespaces();
  // The pid ends at the underscore: a hex suffix starting with a digit would otherwise read as
  // part of it, and another run's sweep would take this live lab for a dead one.
  const id = `${PREFIX}${process.pid}_${randomBytes(2).toString('hex')}`;
  const internet = `${id}-inet`;
  const agent = `${id}-agent`;
  const created: string[] = [];
  const addNamespace = (name: string): void => {
    run(['ip', 'netns', 'add', name]);
    created.push(name);
    ns(name, ['ip', 'link', 'set', 'lo', 'up']);
  };
  const destroy = (): void => {
    process.removeListener('exit', destroy);
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    for (const name of created.reverse()) tryRun(['ip', 'netns', 'del', name]);
    created.length = 0;
  };
  // Torn down even when the test process exits on a failure; a SIGKILL is swept by the next run.
  process.once('exit', destroy);
  try {
    addNamespace(internet);
    ns(internet, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    addNamespace(agent);
    link(internet, 'agent', agent, 'wan');
    ns(internet, ['ip', 'addr', 'add', `${INTERNET_PREFIX}.0.1/24`, 'dev', 'agent']);
    ns(agent, ['ip', 'addr', 'add', `${INTERNET_PREFIX}.0.2/24`, 'dev', 'wan']);
    ns(agent, ['ip', 'addr', 'add', `${INTERNET_PREFIX}.0.3/24`, 'dev', 'wan']);
    ns(agent, ['ip', 'route', 'add', 'default', 'via', `${INTERNET_PREFIX}.0.1`]);
    const hosts = specs.map((spec, index) => buildHost(id, internet, index + 1, spec, addNamespace));
    return {
      id,
      agentNamespace: agent,
      agentAddress: `${INTERNET_PREFIX}.0.2`,
      agentSecondAddress: `${INTERNET_PREFIX}.0.3`,
      hosts,
      exec: (namespace, argv) => ns(namespace, argv),
      spawn: (namespace, argv, stdin = 'ignore') => {
        const child = spawn('ip', ['netns', 'exec', namespace, ...argv], { stdio: [stdin, 'pipe', 'pipe'] });
        children.add(child);
        child.on('exit', () => children.delete(child));
        return child;
      },
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}

function buildHost(id: string, internet: string, index: number, spec: HostSpec, addNamespace: (name: string) => void): LabHost {
  const host = `${id}-h${index}`;
  const wanAddress = `${INTERNET_PREFIX}.${index}.2`;
  const gateway = `${INTERNET_PREFIX}.${index}.1`;
  addNamespace(host);
  const internetSide = `n${index}`;
  if (spec.nat === 'open') {
    link(internet, internetSide, host, 'eth0');
    ns(internet, ['ip', 'addr', 'add', `${gateway}/24`, 'dev', internetSide]);
    ns(host, ['ip', 'addr', 'add', `${wanAddress}/24`, 'dev', 'eth0']);
    ns(host, ['ip', 'route', 'add', 'default', 'via', gateway]);
    if (spec.firewall) dropUnsolicited(host, 'eth0');
    return { namespace: host, spec, address: wanAddress, publicAddress: wanAddress, routerNamespace: undefined };
  }
  const router = `${id}-r${index}`;
  addNamespace(router);
  link(internet, internetSide, router, 'wan');
  link(router, 'lan', host, 'eth0');
  const lanAddress = `10.77.${index}.2`;
  ns(internet, ['ip', 'addr', 'add', `${gateway}/24`, 'dev', internetSide]);
  ns(router, ['ip', 'addr', 'add', `${wanAddress}/24`, 'dev', 'wan']);
  ns(router, ['ip', 'addr', 'add', `10.77.${index}.1/24`, 'dev', 'lan']);
  ns(router, ['ip', 'route', 'add', 'default', 'via', gateway]);
  ns(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  ns(host, ['ip', 'addr', 'add', `${lanAddress}/24`, 'dev', 'eth0']);
  ns(host, ['ip', 'route', 'add', 'default', 'via', `10.77.${index}.1`]);
  configureNat(router, spec.nat, lanAddress);
  if (spec.firewall) dropUnsolicited(router, 'wan');
  return { namespace: host, spec, address: lanAddress, publicAddress: wanAddress, routerNamespace: router };
}

/** netfilter NAT kinds, as measured in docs/DECISIONS.md (DESIGN: MASQUERADE keeps the port per host). */
function configureNat(router: string, kind: Exclude<NatKind, 'open'>, lanAddress: string): void {
  const masquerade = ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE'];
  if (kind === 'symmetric') {
    ns(router, [...masquerade, '--random-fully']);
    return;
  }
  ns(router, masquerade);
  if (kind === 'full-cone') {
    // Inbound packets to any port reach the host: endpoint-independent filtering.
    ns(router, ['iptables', '-t', 'nat', '-A', 'PREROUTING', '-i', 'wan', '-p', 'udp', '-j', 'DNAT', '--to-destination', lanAddress]);
  }
}

/** A router firewall: unsolicited inbound packets to the router itself are dropped in INPUT. */
function dropUnsolicited(namespace: string, device: string): void {
  ns(namespace, ['iptables', '-A', 'INPUT', '-i', device, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']);
  ns(namespace, ['iptables', '-A', 'INPUT', '-i', device, '-j', 'DROP']);
}

function link(namespaceA: string, deviceA: string, namespaceB: string, deviceB: string): void {
  run(['ip', '-n', namespaceA, 'link', 'add', deviceA, 'type', 'veth', 'peer', 'name', deviceB, 'netns', namespaceB]);
  ns(namespaceA, ['ip', 'link', 'set', deviceA, 'up']);
  ns(namespaceB, ['ip', 'link', 'set', deviceB, 'up']);
}

function ns(namespace: string, argv: string[]): string {
  return run(['ip', 'netns', 'exec', namespace, ...argv]);
}

function run(argv: string[]): string {
  const [command, ...rest] = argv;
  return execFileSync(command!, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryRun(argv: string[]): void {
  try {
    run(argv);
  } catch {
    // Teardown goes on past a piece that is already gone.
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
