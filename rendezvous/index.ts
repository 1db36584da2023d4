/** Public API of rendezvous/: wire codec, encrypted UDP sessions, hole punching. */
export {};
