// README "The bus": whole columns of trades (`ts`, `price`, `volume`) and one `trade` message.
const ts = Float64Array.from({ length: 1000 }, (_, i) => 1.7e12 + i);
const price = Float64Array.from({ length: 1000 }, (_, i) => 189 + 0.01 * (i % 50));
const volume = Float64Array.from({ length: 1000 }, (_, i) => 100 + (i % 7));
const trade = { key: 'MSFT', ts: Date.now(), price: 410.2, volume: 300 };
