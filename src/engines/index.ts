/** Engines built on the bus and the kernels, and the Prometheus exposition of their metrics (and the bus's). */
export { Engine, type EngineHealth, type EngineOptions } from './engine.js';
export { CheckpointConfigError, type StateConfig } from './checkpoint-config.js';
export { VpinEngine, type VpinAlert, type VpinCalculation, type VpinEngineOptions, type VpinSymbolState } from './vpin.js';
export {
  FeaturesEngine,
  FEATURES_ENGINE_DEFAULTS,
  type FeatureBar,
  type FeatureBars,
  type FeaturesEngineOptions,
  type FeaturesSymbolState,
  type FeaturesUpdate,
} from './features.js';
export { FEATURE_ESTIMATORS, type FeatureEstimator } from '../api/bar-window.js';
export { RiskEngine, RISK_ENGINE_DEFAULTS, type RiskEngineOptions, type RiskPortfolioState } from './risk.js';
export type { RiskGarch, RiskGarchOptions, RiskGarchParams, RiskVarOptions } from './risk-garch.js';
export type {
  PortfolioUpdate,
  ReturnsUpdate,
  RiskAlert,
  RiskBacktest,
  RiskResult,
  UniverseSnapshot as RiskUniverseState,
  VarEs,
} from './risk-messages.js';
export { PortfolioEngine, PORTFOLIO_ENGINE_DEFAULTS, type PortfolioEngineOptions, type PortfolioState } from './portfolio.js';
export {
  ALERT_KINDS,
  OPTIMIZERS,
  PORTFOLIO_DEFAULTS,
  type AlertKind,
  type ConstraintsConfig,
  type LinearRowsConfig,
  type Optimizer,
  type PortfolioConfig,
} from './portfolio-config.js';
export type { PortfolioResult } from './portfolio-messages.js';
export {
  FactorEngine,
  FACTOR_ENGINE_DEFAULTS,
  FACTOR_STYLES,
  type FactorEngineOptions,
  type FactorStyle,
  type FactorUniverseState,
} from './factor.js';
export type { AssetValues, FactorInput, FactorResult, ResidualStats } from './factor-messages.js';
export { estimateFactors, type FactorFit, type FactorPanels, type FitOptions } from './factor-fit.js';
export { PanelHistory } from './factor-history.js';
export { StrategyEngine, OBSERVED_TYPES, type StrategyEngineOptions } from './strategy.js';
export { WARMUP_SYMBOLS, WARMUP_TRADES, warmUp, warmUpStrategy, type WarmUp, type WarmUpOptions } from './warmup.js';
export { CollateralEngine, type CollateralEngineOptions, type MarginCall, type MarginUpdate } from './collateral.js';
export {
  MlEngine,
  loadServedModel,
  modelVersion,
  type FeatureMap,
  type MlEngineOptions,
  type MlPrediction,
  type ModelSwap,
  type ServedModel,
} from './ml.js';
export { ReturnsWindow } from './returns-window.js';
export { prometheusRegistry, serveMetrics, type GroupLag, type MetricsServer, type MetricsSources } from '../ops/prometheus.js';
