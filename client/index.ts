/** Public API of client/: the wallet core, CLI and TUI. */
export { ClientError, clientErrorCodes, type ClientErrorCode } from './errors.ts';
export { initWallet, loadWallet, resolveDataDir, walletFiles, type LoadedWallet, type WalletSettings } from './files.ts';
export { addAgent, checkAgentEntry, listAgents, resolveAgent, type AgentEntry, type ResolvedAgent } from './agents.ts';
/** A wallet online: home-agent login, presence, NAT classification, introductions, peer sessions. */
export { WalletNode, type WalletNodeOptions } from './wallet.ts';
export { PeerLink, directRoom, type PathKind } from './peer-link.ts';
export type { ConnectResult } from './introductions.ts';
