/**
 * `kernelbus/gateway`: the WebSocket gateway that serves a bus's messages to browsers and other
 * clients, and the live dashboard page (docs/gateway.md). Loads `ws` and prom-client.
 */
export { createGateway, GATEWAY_TYPES, type Gateway, type GatewayMetrics, type GatewayOptions } from './gateway.js';
export { CLOSE_SLOW } from './client.js';
export { PROTOCOL_VERSION } from './protocol.js';
export type { BusStats, GatewayStats, StatsFrame } from './stats.js';
