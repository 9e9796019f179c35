// README "The risk engine": a block of 30 rows of returns of `assets`, stamped `ts`.
const assets = ['AAPL', 'MSFT'];
const block = Float64Array.from({ length: 30 * assets.length }, (_, k) => 0.01 * Math.sin(k));
const ts = Date.now() + 1;
