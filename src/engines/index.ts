/** Engines built on the bus and the kernels. */
export { Engine, type EngineHealth, type EngineOptions } from './engine.js';
export { VpinEngine, type VpinAlert, type VpinCalculation, type VpinEngineOptions, type VpinSymbolState } from './vpin.js';
export { SyntheticMarket, mulberry32, type MarketOptions, type TradeSink } from './market.js';
