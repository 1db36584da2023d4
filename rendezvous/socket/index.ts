/** Public API of rendezvous/socket/: the endpoint that runs encrypted sessions and their channels on one socket. */
export { createEndpoint } from './endpoint.ts';
export {
  defaultSocketLimits,
  type Connection,
  type ConnectionCloseReason,
  type ConnectOptions,
  type Endpoint,
  type EndpointOptions,
  type Route,
  type SocketLimits,
} from './types.ts';
