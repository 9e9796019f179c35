/**
 * FactorEngine: FACTOR_INPUT (one date's cross-section of a universe: returns, caps, sectors, value
 * ratios) -> the date's style scores (momentum over the universe's recent returns, size, value), its
 * market, sector and style factor returns, R-squared and residual statistics -> FACTOR_CALCULATION.
 * Every figure comes from the factor kernels (toraniko's conventions), through ./factor-fit.ts.
 */
import type { BackendChoice } from '../api/kernels.js';
import { installEveryBackend } from '../api/every-backend.js';
import { kernels } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import {
  resolveMomentumOptions,
  resolveSizeOptions,
  resolveWinsorizePercentile,
  type MomentumOptions,
  type SizeOptions,
  type ValueOptions,
} from '../kernels/factor/factor.js';
import type { Matrix } from '../kernels/risk/risk.js';
import { Engine, type EngineOptions } from './engine.js';
import { estimateFactors } from './factor-fit.js';
import { PanelHistory } from './factor-history.js';
import { RecentFramesByKey } from './recent-frames.js';
import {
  applyFactorDelta,
  compareDates,
  decodeFactorUniverse,
  FACTOR_ENGINE_DEFAULTS,
  FACTOR_STYLES,
  encodeFactorDelta,
  encodeFactorUniverse,
  parseFactorInput,
  type FactorDate,
  type FactorResult,
  type FactorStyle,
  type FactorUniverse,
  type ParsedFactorInput,
} from './factor-messages.js';

installEveryBackend(); // its kernels run synchronously from the first message

export { FACTOR_ENGINE_DEFAULTS, FACTOR_STYLES, type FactorStyle };

/** Options of FactorEngine. */
export interface FactorEngineOptions extends Partial<EngineOptions> {
  /** The styles regressed, in the order of their factor returns. Default ['momentum', 'size', 'value']. */
  styles?: readonly FactorStyle[];
  /**
   * Momentum (toraniko's factor_mom) over each universe's last window + lag dates. Default window 252,
   * halfLife 126, lag 20, winsorize 0.01: a year of daily returns rather than toraniko's 504, so that a
   * universe's assets get a score after 272 dates.
   */
  momentum?: MomentumOptions;
  /** Size (factor_sze) band. Default lower 0.2, upper 0.8. */
  size?: SizeOptions;
  /** Value (factor_val). Default: ratios not winsorized. */
  value?: ValueOptions;
  /** factorReturns' return winsorization percentile; null: off. Default 0.05. */
  winsorize?: number | null;
  /** Styles regressed on the market + sector residuals. Default true. */
  residualizeStyles?: boolean;
  /** Add the date's per-asset style scores and residuals to each FACTOR_CALCULATION (`perAsset`). Default false. */
  perAsset?: boolean;
  /** Kernel backend. Default 'auto'. */
  backend?: BackendChoice;
  /** Input type. Default 'FACTOR_INPUT'. */
  input?: string;
}

/** A universe's state and its latest result. */
export interface FactorUniverseState extends FactorUniverse {
  /** The last FACTOR_CALCULATION published by this process (undefined before, and after a restore until the next date). */
  latest: FactorResult | undefined;
}

/** Runs `resolve`, renaming an option error's `options.x` to `options.<group>.x`. */
function within<T>(group: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof KernelInputError)) throw error;
    throw new KernelInputError(error.argument.replace(/^options\./, `options.${group}.`), error.expected, error.actual);
  }
}

/** An option group: undefined or a plain object. */
function group<T extends object>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
    throw new KernelInputError(`options.${name}`, 'an object of options', describeValue(value));
  return value;
}

/**
 * Factor returns on the bus, one date at a time. Per universe (the FACTOR_INPUT key) it keeps the
 * returns of the last window + lag dates per asset (assets may come and go: an asset absent on a date
 * has a missing return there, and gets a momentum score once it has window present returns lagged by
 * lag dates) and the sector names, coded in the order first seen. Each date's momentum is the last row
 * of the `momentum` kernel over that history, size and value come from their kernels over the date's
 * row, and the factor returns, residuals and fit statistics from ./factor-fit.ts (the sectors with a
 * usable asset that date, the `factorReturns` kernel). A date with enough usable assets (more than 1 +
 * sectors + styles) publishes a FACTOR_CALCULATION; one without (e.g. before momentum's window is
 * full) publishes nothing and is counted as `unfit`.
 *
 * Dates must increase per universe. A bad payload (a field missing or of the wrong length, an
 * infinite value, a cap <= 0, a date not after the universe's last) throws KernelInputError naming the
 * field: counted in `errors`, retried then dead-lettered by the bus, nothing applied. Idempotent per
 * entry id; a FACTOR_INPUT stored twice (a date not after the last, with the publish time and ts of one
 * of the universe's last 64 applied) is skipped as `republished`; any other date not after the last is
 * refused. Over Redis each universe's state (history, sectors, last date) is checkpointed with its
 * stream, whole and then as the dates appended (deltas); several FactorEngines of one group share the
 * shards.
 */
export class FactorEngine extends Engine {
  protected readonly inputs: readonly string[];
  private readonly kernels: ReturnType<typeof kernels>;
  private readonly styles: readonly FactorStyle[];
  private readonly momentum: Required<MomentumOptions>;
  private readonly size: SizeOptions;
  private readonly value: ValueOptions;
  private readonly winsorize: number | null;
  private readonly residualizeStyles: boolean;
  private readonly perAsset: boolean;
  /** Dates of history each universe keeps: momentum's window + lag (1 without momentum). */
  private readonly capacity: number;
  private readonly states = new Map<string, FactorUniverseState>();
  /**
   * Universe -> the dates appended since its last checkpoint record (kept only once a record was
   * taken; none after more dates than the history holds: the next record is whole).
   */
  private readonly unrecorded = new Map<string, FactorDate[]>();
  /** Each universe's last inputs applied: a republish is one of them. */
  private readonly recent = new RecentFramesByKey();
  private readonly totals = { dates: 0, results: 0, unfit: 0, republished: 0 };

  /** Checks the options (KernelInputError naming the option). */
  constructor(bus: Bus, options: FactorEngineOptions = {}) {
    super(bus, { ...options, name: options?.name ?? 'factor' });
    const styles = options.styles ?? FACTOR_ENGINE_DEFAULTS.styles;
    if (!Array.isArray(styles) || styles.length === 0 || styles.some((s, i) => !FACTOR_STYLES.includes(s) || styles.indexOf(s) !== i)) {
      throw new KernelInputError(
        'options.styles',
        `a non-empty list of distinct styles of ${FACTOR_STYLES.map((s) => `'${s}'`).join(', ')}`,
        describeValue(styles),
      );
    }
    const m = group(options.momentum, 'momentum');
    const d = FACTOR_ENGINE_DEFAULTS.momentum;
    const momentum = {
      window: m?.window ?? d.window,
      halfLife: m?.halfLife ?? d.halfLife,
      lag: m?.lag ?? d.lag,
      winsorize: m?.winsorize ?? d.winsorize,
    };
    within('momentum', () => resolveMomentumOptions(momentum));
    const size = group(options.size, 'size') ?? {};
    within('size', () => resolveSizeOptions(size));
    const value = group(options.value, 'value') ?? {};
    resolveWinsorizePercentile(value.winsorize, null, 'options.value.winsorize');
    const winsorize = options.winsorize === undefined ? FACTOR_ENGINE_DEFAULTS.winsorize : options.winsorize;
    resolveWinsorizePercentile(winsorize, null, 'options.winsorize');
    const residualizeStyles = options.residualizeStyles ?? FACTOR_ENGINE_DEFAULTS.residualizeStyles;
    if (typeof residualizeStyles !== 'boolean')
      throw new KernelInputError('options.residualizeStyles', 'a boolean', describeValue(residualizeStyles));
    const perAsset = options.perAsset ?? false;
    if (typeof perAsset !== 'boolean') throw new KernelInputError('options.perAsset', 'a boolean', describeValue(perAsset));
    const input = options.input ?? 'FACTOR_INPUT';
    if (typeof input !== 'string' || input.length === 0)
      throw new KernelInputError('options.input', 'a non-empty message type', describeValue(input));
    this.kernels = kernels({ backend: options.backend ?? 'auto' });
    this.styles = [...styles];
    this.momentum = momentum;
    this.size = size;
    this.value = value;
    this.winsorize = winsorize;
    this.residualizeStyles = residualizeStyles;
    this.perAsset = perAsset;
    this.capacity = styles.includes('momentum') ? momentum.window + momentum.lag : 1;
    this.inputs = [input];
  }

  /** Applies one date (see the class comment); throws KernelInputError, before changing anything, for a bad one. */
  protected process(message: BusMessage): void {
    const input = parseFactorInput(message.payload, this.styles.includes('value'));
    const old = this.states.get(message.key);
    if (old?.lastDate !== undefined && compareDates(input.date, old.lastDate) <= 0) {
      if (this.recent.republished(message.key, true, message.sentAt, message.ts, old)) {
        this.totals.republished++;
        return;
      }
      throw new KernelInputError(
        'payload.date',
        `a date after universe '${message.key}''s last (${JSON.stringify(old.lastDate)})`,
        JSON.stringify(input.date),
      );
    }
    const u = old ?? {
      history: new PanelHistory(this.capacity),
      sectors: [],
      lastDate: undefined,
      lastTs: -Infinity,
      lastSentAt: -Infinity,
      latest: undefined,
    };
    // Everything is computed before the state changes (a kernel error leaves it as it was).
    const sectorNames = [...u.sectors];
    const codes = new Map(sectorNames.map((s, i) => [s, i]));
    const sectorCodes = Float64Array.from(input.sectors, (s) => {
      if (s === null) return NaN;
      let code = codes.get(s);
      if (code === undefined) codes.set(s, (code = sectorNames.push(s) - 1));
      return code;
    });
    const styles = this.scores(u, input);
    const n = input.assets.length;
    const row = (data: Float64Array): Matrix => ({ data, rows: 1, cols: n });
    const fit = estimateFactors(
      this.kernels,
      { returns: row(input.returns), marketCap: row(input.marketCap), sectors: row(sectorCodes), styles, sectorNames },
      { winsorize: this.winsorize, residualizeStyles: this.residualizeStyles },
    );
    u.history.append(input.assets, input.returns);
    u.sectors = sectorNames;
    u.lastDate = input.date;
    u.lastTs = message.ts;
    if (message.sentAt > u.lastSentAt) u.lastSentAt = message.sentAt;
    this.recent.remember(message.key, message.sentAt, message.ts);
    const unrecorded = this.unrecorded.get(message.key);
    if (unrecorded) {
      if (unrecorded.length < this.capacity) unrecorded.push({ assets: input.assets, returns: input.returns });
      else this.unrecorded.delete(message.key);
    }
    if (!old) this.states.set(message.key, u);
    this.totals.dates++;

    const factorReturns = Array.from(fit.factorReturns.data);
    if (!Number.isFinite(factorReturns[0])) {
      this.totals.unfit++;
      return;
    }
    const result: FactorResult = {
      source: 'factor',
      engine: this.name,
      universe: message.key,
      date: input.date,
      names: fit.names,
      factorReturns,
      r2: fit.r2[0],
      assets: n,
      residuals: { count: fit.residualCount[0], mean: fit.residualMean[0], sd: fit.residualSd[0] },
      coverage: Object.fromEntries(this.styles.map((s) => [s, styles[s].data.reduce((c, v) => c + (Number.isFinite(v) ? 1 : 0), 0)])),
    };
    if (this.perAsset) {
      result.perAsset = {
        assets: [...input.assets],
        exposures: Object.fromEntries(this.styles.map((s) => [s, styles[s].data])),
        residuals: fit.residuals.data,
      };
    }
    u.latest = result;
    this.totals.results++;
    this.emit('FACTOR_CALCULATION', { key: message.key, ts: message.ts, payload: result });
  }

  /** The date's style scores (1 x N each, in the input's asset order), by the kernels. */
  private scores(u: FactorUniverse, input: ParsedFactorInput): Record<string, Matrix> {
    const n = input.assets.length;
    const row = (data: Float64Array): Matrix => ({ data, rows: 1, cols: n });
    const out: Record<string, Matrix> = {};
    for (const style of this.styles) {
      if (style === 'momentum') {
        // The momentum kernel's last row over the last window + lag dates (all NaN until there are that many).
        const panel = u.history.panelWith(input.assets, input.returns);
        out.momentum =
          panel.rows < this.capacity
            ? row(new Float64Array(n).fill(NaN))
            : row(this.kernels.momentum(panel, this.momentum).data.slice((panel.rows - 1) * n));
      } else if (style === 'size') {
        out.size = this.kernels.size(row(input.marketCap), this.size);
      } else {
        out.value = this.kernels.value(row(input.bookPrice), row(input.salesPrice), row(input.cashFlowPrice), this.value);
      }
    }
    return out;
  }

  protected get keyCount(): number {
    return this.states.size;
  }

  protected override get checkpointable(): boolean {
    return true;
  }

  /** A universe's state as bytes (see encodeFactorUniverse). */
  protected override snapshotKey(key: string): Uint8Array {
    const u = this.states.get(key);
    if (!u) throw new KernelInputError('key', 'a universe of this engine', JSON.stringify(key));
    this.unrecorded.set(key, []);
    return encodeFactorUniverse(u);
  }

  /**
   * The dates a universe appended since its last record (an incremental checkpoint: see
   * encodeFactorDelta); undefined when more came than its history holds (the next record is whole).
   */
  protected override deltaKey(key: string): Uint8Array | undefined {
    const u = this.states.get(key);
    const dates = this.unrecorded.get(key);
    if (!u || !dates) return undefined;
    this.unrecorded.set(key, []);
    return encodeFactorDelta(u, dates);
  }

  /**
   * Replaces a universe's state with bytes from snapshotKey() and its deltas after them
   * (KernelInputError when they are not).
   */
  protected override restoreKey(key: string, bytes: Uint8Array, _type: string, deltas: readonly Uint8Array[] = []): void {
    const u = decodeFactorUniverse(bytes, this.capacity);
    for (const delta of deltas) applyFactorDelta(u, delta);
    this.states.set(key, { ...u, latest: undefined });
    this.unrecorded.set(key, []);
    this.recent.forget(key);
  }

  /** Forgets a universe (its shard went to another engine of the group). */
  protected override dropKey(key: string): void {
    this.states.delete(key);
    this.recent.forget(key);
    this.unrecorded.delete(key);
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.totals };
  }

  protected override extraLevels(): Record<string, number> {
    return { universes: this.states.size };
  }

  /** Each universe's state: recent returns (`history`), sectors, last date, latest result. Read-only use. */
  universes(): ReadonlyMap<string, Readonly<FactorUniverseState>> {
    return this.states;
  }
}
