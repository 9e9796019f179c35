/** The reference backend: pure TypeScript, complete on its own, the oracle of the parity suite. */
import type { Backend, BackendProvider } from '../types.js';
import { referenceFactor } from './factor/factor.js';
import { referenceFeatures } from './features/features.js';
import { referenceBacktest } from './backtest/backtest.js';
import { referenceIndicators } from './indicators/indicators.js';
import { referencePortfolio } from './portfolio/portfolio.js';
import { referenceFrontier } from './portfolio/portfolio-cla.js';
import { referenceOptimizers } from './portfolio/portfolio-mean.js';
import { referenceRisk } from './risk/risk.js';
import { referenceSpecial } from './special/special.js';
import { referenceVolatility } from './volatility/volatility.js';
import { referenceVpin } from './vpin/vpin.js';
import { referenceLabeling } from './labeling/labeling.js';
import { referenceMargin } from './margin/margin.js';
import { referenceMl } from './ml/ml.js';

export const referenceBackend: Backend = {
  name: 'reference',
  families: {
    vpin: referenceVpin,
    special: referenceSpecial,
    risk: referenceRisk,
    factor: referenceFactor,
    portfolio: { ...referencePortfolio, ...referenceOptimizers, ...referenceFrontier },
    features: referenceFeatures,
    indicators: referenceIndicators,
    backtest: referenceBacktest,
    volatility: referenceVolatility,
    labeling: referenceLabeling,
    margin: referenceMargin,
    ml: referenceMl,
  },
};

export const referenceProvider = {
  name: 'reference',
  expected: true,
  load: () => ({ backend: referenceBackend, features: { language: 'typescript' } }),
} as const satisfies BackendProvider;
