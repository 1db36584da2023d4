/** Public API of client/: the wallet core, CLI and TUI. */
export {};
