// docs/io.md: trades.csv.gz in the working directory, from the package's examples/trades.csv.
import { readFileSync as readTradesCsv, writeFileSync as writeTradesGz } from 'node:fs';
import { gzipSync } from 'node:zlib';
writeTradesGz('trades.csv.gz', gzipSync(readTradesCsv('examples/trades.csv')));
