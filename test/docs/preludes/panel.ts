// README "Factor models in code": a seeded panel of 60 dates x 12 assets in 3 sectors, labelled by
// its dates (business days from 2025-01-02, as epoch ms) and tickers.
import * as kbPanel from 'kernelbus/kernels';
let seedPanel = 11;
const rndPanel = () => (seedPanel = (seedPanel * 16807) % 2147483647) / 2147483647;
const T = 60;
const N = 12;
const tickers = ['AAPL', 'XOM', 'JNJ', 'MSFT', 'CVX', 'PFE', 'NVDA', 'COP', 'MRK', 'GOOG', 'SLB', 'ABBV'];
const dates = Float64Array.from({ length: T }, (_, t) => Date.UTC(2025, 0, 2) + (t + 2 * Math.floor(t / 5)) * 86_400_000);
const panelOf = (f: (t: number, i: number) => number) =>
  kbPanel.matrix(
    Float64Array.from({ length: T * N }, (_, k) => f(Math.floor(k / N), k % N)),
    T,
    N,
    { columns: tickers, index: dates },
  );
const returns = panelOf(() => 0.02 * (rndPanel() - 0.5));
const marketCap = panelOf((_, i) => 1e9 * (1 + i) * (0.9 + 0.2 * rndPanel()));
const bookPrice = panelOf(() => 0.2 + rndPanel());
const salesPrice = panelOf(() => 0.1 + rndPanel());
const cashFlowPrice = panelOf(() => 0.01 + 0.1 * rndPanel());
const sectors = Int32Array.from({ length: N }, (_, i) => i % 3);
