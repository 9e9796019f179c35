/**
 * `npm run gen`: the C++ side of the kernels, written from their descriptors (issue 40: one source per
 * kernel). For each family below, one header, native/kernels/generated/<file>: per kernel with packed
 * parameters its names table, its Params struct and `unpack()` (the ParamReader call of each
 * parameter's rule, src/kernels/param-rules.ts); per kernel whose call is data (a descriptor's
 * `signature` and `dims`: scripts/gen-entries.ts) its output layout, declaration, entry and
 * registration; and the family's names table (the addon's paramNames(), through param_names.hpp).
 * For the fuzz targets, native/fuzz/generated/<family>_fuzz.hpp: the family's parameter rules as data
 * (fuzz_params.cpp) and a case per generated entry (fuzz_entries.cpp). A kernel added to a family
 * changes its two headers only. The output is deterministic and formatted as clang-format formats it
 * (`npm run lint:cpp` checks it); CI runs `npm run gen && git diff --exit-code`.
 *
 * A family marked `outputs` also gets each kernel's output names in order (k<Kernel>Outputs), which
 * the C++ that writes them checks its layout against.
 *
 * A kernel whose parameters have no rules (VPIN_PARAMS: vpin.cpp's unpackParams() checks them by
 * hand, one rule depending on another) gets its names table only.
 *
 * The readers of the kernels' record arguments (the backtest's Simulation, the volatility Model) come
 * from scripts/gen-records.ts, written with the rest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelSpec, ParamSpec, Shape } from '../src/kernels/descriptor.js';
import { FACTOR_KERNELS } from '../src/kernels/factor/factor-kernels.js';
import { FEATURES_KERNELS } from '../src/kernels/features/features-kernels.js';
import { LABELING_KERNELS } from '../src/kernels/labeling/labeling-kernels.js';
import { MARGIN_KERNELS } from '../src/kernels/margin/margin-kernels.js';
import { ML_KERNELS } from '../src/kernels/ml/ml-kernels.js';
import { INDICATORS_KERNELS } from '../src/kernels/indicators/indicators-kernels.js';
import { SIGNAL_KERNELS } from '../src/kernels/indicators/signals-kernels.js';
import { capitalized, comment, cppType, familyEntries, fuzzCases, MAX_INTEGER, readCall, readDouble } from './gen-entries.js';
import type { Rule } from '../src/kernels/param-rules.js';
import { PORTFOLIO_KERNELS } from '../src/kernels/portfolio/portfolio-kernels.js';
import { recordFiles } from './gen-records.js';
import { RISK_KERNELS } from '../src/kernels/risk/risk-kernels.js';
import { SPECIAL_KERNELS } from '../src/kernels/special/special-family.js';
import { VPIN_KERNELS } from '../src/kernels/vpin/vpin-kernels.js';

/** One generated header: the kernels it holds, the C++ namespace they live in, where their descriptors are. */
interface Family {
  readonly file: string;
  readonly namespace: string;
  /** What the header holds, for its comment. */
  readonly what: string;
  readonly from: readonly string[];
  readonly kernels: Readonly<Record<string, KernelSpec>>;
  /**
   * Whether the header also carries each kernel's output names in order (`k<Kernel>Outputs`, from the
   * descriptor's `outputs`), for the C++ that writes them to be checked against (a static_assert).
   */
  readonly outputs?: boolean;
}

const FAMILIES: readonly Family[] = [
  {
    file: 'risk.hpp',
    namespace: 'kernelbus::risk',
    what: "The risk family's packed parameters (risk_entry.hpp, risk_analytics_entry.hpp)",
    from: ['src/kernels/risk/risk.ts', 'src/kernels/risk/risk-analytics.ts'],
    kernels: RISK_KERNELS,
  },
  {
    file: 'factor.hpp',
    namespace: 'kernelbus::factor',
    what: "The factor family's packed parameters (factor_entry.hpp)",
    from: ['src/kernels/factor/factor.ts'],
    kernels: FACTOR_KERNELS,
  },
  {
    file: 'portfolio.hpp',
    namespace: 'kernelbus::portfolio',
    what: "The portfolio family's packed parameters (portfolio_entry.hpp, portfolio_alloc_entry.hpp)",
    from: ['src/kernels/portfolio/portfolio.ts', 'src/kernels/portfolio/portfolio-allocation.ts'],
    kernels: PORTFOLIO_KERNELS,
  },
  {
    file: 'indicators.hpp',
    namespace: 'kernelbus::indicators',
    what: "The indicators' packed parameters and entries (native/kernels/indicators/; the grids and crossovers: indicators_entry.hpp)",
    from: ['src/kernels/indicators/indicators-kernels.ts', 'src/kernels/indicators/signals-kernels.ts'],
    kernels: { ...INDICATORS_KERNELS, ...SIGNAL_KERNELS },
  },
  {
    file: 'special.hpp',
    namespace: 'kernelbus::special',
    what: "The special functions' packed parameters (generated/special.hpp)",
    from: ['src/kernels/special/special-family.ts'],
    kernels: SPECIAL_KERNELS,
  },
  {
    file: 'classify.hpp',
    namespace: 'kernelbus::classify',
    what: "classifyTrades' packed parameters (classify.hpp: classify::Params)",
    from: ['src/kernels/vpin/classify.ts'],
    kernels: { classifyTrades: VPIN_KERNELS.classifyTrades },
  },
  {
    file: 'pin.hpp',
    namespace: 'kernelbus::pin',
    what: "The PIN kernels' packed parameters (pin_entry.hpp)",
    from: ['src/kernels/vpin/pin.ts', 'src/kernels/vpin/pin-kernels.ts'],
    kernels: { pinLikelihood: VPIN_KERNELS.pinLikelihood, pin: VPIN_KERNELS.pin },
    outputs: true,
  },
  {
    file: 'vpin.hpp',
    namespace: 'kernelbus::vpin',
    what: "vpin()'s and bulkClassify()'s packed parameters (vpin_unpack.cpp: unpackParams(), unpackClassifyParams())",
    from: ['src/kernels/vpin/vpin.ts'],
    kernels: { vpin: VPIN_KERNELS.vpin, bulkClassify: VPIN_KERNELS.bulkClassify },
  },
  {
    file: 'features.hpp',
    namespace: 'kernelbus::features',
    what: "The features family's packed parameters (features_entry.hpp)",
    from: ['src/kernels/features/features.ts'],
    kernels: FEATURES_KERNELS,
  },
  {
    file: 'labeling.hpp',
    namespace: 'kernelbus::labeling',
    what: "The labeling family's packed parameters and entries (native/kernels/labeling/)",
    from: ['src/kernels/labeling/labeling.ts', 'src/kernels/labeling/labeling-kernels.ts'],
    kernels: LABELING_KERNELS,
  },
  {
    file: 'margin.hpp',
    namespace: 'kernelbus::margin',
    what: "The margin family's packed parameters and entries (native/kernels/margin/)",
    from: ['src/kernels/margin/margin.ts', 'src/kernels/margin/margin-kernels.ts'],
    kernels: MARGIN_KERNELS,
  },
  {
    file: 'ml.hpp',
    namespace: 'kernelbus::ml',
    what: "The ml family's packed parameters and entries (native/kernels/ml/)",
    from: ['src/kernels/ml/ml.ts', 'src/kernels/ml/ml-kernels.ts'],
    kernels: ML_KERNELS,
  },
];

const COLUMNS = 140;

/** `const char* ...[] = {"a", "b"};` on one line, else the names packed on the lines after it (a trailing comma). */
function namesTable(array: string, keys: readonly string[]): string[] {
  const head = `constexpr const char* ${array}[] = {`;
  const quoted = keys.map((k) => `"${k}"`);
  const one = `${head}${quoted.join(', ')}};`;
  if (one.length <= COLUMNS) return [one];
  const lines = [head];
  let line = '   ';
  for (const name of quoted) {
    if (line.length + 1 + name.length + 1 > COLUMNS) {
      lines.push(line);
      line = '   ';
    }
    line += ` ${name},`;
  }
  return [...lines, line, '};'];
}

/** A kernel's names table, Params struct and unpack(). */
function kernelParams(kernel: string, params: readonly ParamSpec[]): string[] {
  const names = `k${capitalized(kernel)}Params`;
  const table = namesTable(
    names,
    params.map((p) => p.key),
  );
  const struct = `${capitalized(kernel)}Params`;
  const lines = [`// ${kernel}`, ...table, `struct ${struct} {`];
  for (const p of params) {
    const type = cppType(p.rule);
    lines.push(...comment(`${p.name ?? p.key}: ${p.expected}`, '  '), `  ${type} ${p.key} = ${type === 'bool' ? 'false' : '0'};`);
  }
  lines.push('};', `inline Status unpack(Packed packed, ${struct}& out) {`, `  ParamReader p(packed, ${names});`);
  for (const p of params) {
    const rule = p.rule;
    if (rule.kind === 'when') {
      // one read whichever case: the governing parameter's field is read already
      rule.cases.forEach(([value, , r], i) =>
        lines.push(`  ${i === 0 ? 'if' : '} else if'} (out.${rule.key} == ${value}) {`, `    out.${p.key} = ${readDouble(r)};`),
      );
      lines.push('  } else {', `    out.${p.key} = ${readDouble(rule.otherwise)};`, '  }');
    } else lines.push(`  out.${p.key} = ${readCall(rule)};`);
    if (p.notBelow !== undefined) lines.push(`  p.require(out.${p.key} >= out.${p.notBelow});`);
  }
  lines.push('  return p.status();', '}');
  return lines;
}

/** A kernel's output names in order, with their shapes in the comment. */
function kernelOutputs(kernel: string, outputs: Readonly<Record<string, Shape>>): string[] {
  const shapes = Object.entries(outputs).map(([name, shape]) => `${name} [${shape.join(', ')}]`);
  return [
    ...comment(`${kernel}'s outputs in the order they lie in its output array: ${shapes.join(', ')}.`),
    ...namesTable(`k${capitalized(kernel)}Outputs`, Object.keys(outputs)),
  ];
}

/** The kernels of `family` with packed parameters. */
const withParams = (family: Family) => Object.entries(family.kernels).filter(([, spec]) => spec.params.length > 0);

/**
 * The kernels of `family` whose rules are rows of the fuzz table: not those with a rule that depends on
 * another parameter (`when`: vpin's, whose own part of fuzz_params.cpp checks them).
 */
const ruled = (family: Family) => withParams(family).filter(([, spec]) => spec.params.every((p) => p.rule.kind !== 'when'));

const GENERATED = 'Generated by scripts/gen-native.ts (npm run gen): do not edit.';

/** The family's names table: every kernel's packed parameter names by kernel name (none: count 0). */
function familyNames(family: Family): string[] {
  const lines = [
    "/// Every kernel's packed parameter names (param_names.hpp: the addon's paramNames()).",
    'constexpr KernelParamNames kKernelParamNames[] = {',
  ];
  for (const [kernel, spec] of Object.entries(family.kernels)) {
    lines.push(`    {"${kernel}", ${spec.params.length > 0 ? `paramNamesOf(k${capitalized(kernel)}Params)` : '{nullptr, 0}'}},`);
  }
  return [...lines, '};'];
}

function familyHeader(family: Family): string {
  const entries = familyEntries(family.namespace, family.kernels);
  const lines = [
    ...comment(GENERATED),
    ...comment(`From the descriptors in ${family.from.join(' and ')}.`),
    '//',
    ...comment(
      `${family.what}: per kernel, its names in packed order (the descriptor's keys)` +
        (ruled(family).length > 0
          ? ', its Params struct (a field per name: double, size_t for an integer, int for a code, bool for a flag) and unpack(): ' +
            'each value read in order by the ParamReader call of its rule (src/kernels/param-rules.ts), ParamInvalid at the first out of range (entry.hpp)'
          : '') +
        (entries.length > 0 ? '; the kernels whose calls are data, below.' : '.'),
    ),
    '#pragma once',
    '',
  ];
  lines.push(
    ...(entries.length > 0
      ? ['#include <array>', '#include <cstddef>', '', '#include "../entry.hpp"', '#include "../sizes.hpp"']
      : ['#include <cstddef>', '', '#include "../entry.hpp"']),
    '',
  );
  lines.push(`namespace ${family.namespace} {`, '');
  for (const [kernel, spec] of withParams(family)) lines.push(...kernelParams(kernel, spec.params), '');
  if (family.outputs) {
    for (const [kernel, spec] of Object.entries(family.kernels)) if (spec.outputs) lines.push(...kernelOutputs(kernel, spec.outputs), '');
  }
  lines.push(...entries, ...familyNames(family), '', `}  // namespace ${family.namespace}`);
  return `${lines.join('\n')}\n`;
}

/** native/kernels/generated/param_names.hpp: every family's names table, searched by kernel name. */
function namesHeader(): string {
  const lines = [
    ...comment(GENERATED),
    '//',
    ...comment(
      "Every generated kernel's packed parameter names, by kernel name (none: count 0), from each family's table: the addon's " +
        'paramNames() (native/binding/addon.cc) reads them, and test/native/binding.test.ts holds them equal to the descriptors.',
    ),
    '#pragma once',
    '',
    '#include <string_view>',
    '',
    '#include "../entry.hpp"',
    ...FAMILIES.map((f) => `#include "${f.file}"`).sort(),
    '',
    'namespace kernelbus {',
    '',
    "/// `kernel`'s parameter names into `out`; false for a kernel no generated family has.",
    'inline bool generatedParamNames(std::string_view kernel, ParamNames& out) {',
    ...FAMILIES.map(
      (f) => `  if (findParamNames(${f.namespace.replace(/^kernelbus::/, '')}::kKernelParamNames, kernel, out)) return true;`,
    ),
    '  return false;',
    '}',
    '',
    '}  // namespace kernelbus',
  ];
  return `${lines.join('\n')}\n`;
}

/** The fuzz table's name of each rule kind (native/fuzz/rules.hpp: enum class Rule). */
const RULE_KINDS: Readonly<Record<Exclude<Rule['kind'], 'when'>, string>> = {
  finite: 'Finite',
  positive: 'Positive',
  above: 'Above',
  atLeast: 'AtLeast',
  aboveZero: 'AboveZero',
  openUnit: 'OpenUnit',
  closed: 'Closed',
  closedOr: 'ClosedOr',
  int: 'Integer',
  zeroOrAbove: 'ZeroOrAbove',
  code: 'Code',
  flag: 'Flag',
  halfOpen: 'HalfOpen',
};

/** A rule as the fuzz table's data, `{Rule::Kind, lo, hi, off, notBelow}` (trailing defaults left out). */
function ruleData(rule: Exclude<Rule, { kind: 'when' }>, notBelow: number): string {
  let numbers: (number | string)[] = [];
  if (rule.kind === 'above' || rule.kind === 'atLeast' || rule.kind === 'zeroOrAbove') numbers = [rule.lo];
  if (rule.kind === 'closed' || rule.kind === 'halfOpen') numbers = [rule.lo, rule.hi];
  if (rule.kind === 'closedOr') numbers = [rule.lo, rule.hi, rule.off];
  if (rule.kind === 'int') numbers = [rule.lo, rule.hi === undefined || rule.hi === MAX_INTEGER ? 'kMaxInteger' : rule.hi];
  if (rule.kind === 'code') numbers = [0, rule.values.length - 1];
  if (rule.kind === 'flag') numbers = [0, 1];
  if (notBelow >= 0) numbers = [...numbers, 0, 0, 0].slice(0, 3).concat(notBelow);
  return `{${[`Rule::${RULE_KINDS[rule.kind]}`, ...numbers].join(', ')}}`;
}

/** A row of the fuzz table, on one line, or one field a line as clang-format breaks a row too long. */
function fuzzRow(fields: readonly string[]): string[] {
  const one = `    {${fields.join(', ')}},`;
  if (one.length <= COLUMNS) return [one];
  return fields.flatMap((field, i) => {
    const [head, tail] = i === 0 ? ['    {', ','] : i < fields.length - 1 ? ['     ', ','] : ['     ', '},'];
    return head.length + field.length + tail.length <= COLUMNS ? [`${head}${field}${tail}`] : wrappedList(field, head, tail);
  });
}

/** A braced list `{a, b, c}` too long for a line, one element a line as clang-format breaks it. */
function wrappedList(list: string, head: string, tail: string): string[] {
  const items = list.slice(1, -1).split(/(?<=\}), (?=\{)/);
  return items.map((item, j) => (j === 0 ? `${head}{${item},` : j < items.length - 1 ? `${head} ${item},` : `${head} ${item}}${tail}`));
}

/** native/fuzz/generated/<family>_fuzz.hpp: the family's rules as data (fuzz_params.cpp) and its entries' cases (fuzz_entries.cpp). */
function fuzzHeader(family: Family): string {
  const rows: string[] = [];
  for (const [kernel, spec] of ruled(family)) {
    const index = (key: string | undefined) => spec.params.findIndex((p) => p.key === key);
    const rules = spec.params.map((p) =>
      ruleData(p.rule as Exclude<Rule, { kind: 'when' }>, p.notBelow === undefined ? -1 : index(p.notBelow)),
    );
    rows.push(...fuzzRow([`"${kernel}"`, `{${rules.join(', ')}}`, `fuzz::unpackInto<${capitalized(kernel)}Params>`]));
  }
  const cases = fuzzCases(family.kernels);
  const lines = [
    ...comment(GENERATED),
    ...comment(`From the descriptors in ${family.from.join(' and ')}, as native/kernels/generated/${family.file} is.`),
    '//',
    ...comment(
      "The family's parameter rules as data, in packed order, with the unpack() that reads them: fuzz_params.cpp checks " +
        'that unpack() accepts exactly the values its own reading of each rule accepts (native/fuzz/rules.hpp)' +
        (cases.length > 0 ? "; and a case per generated entry for fuzz_entries.cpp (native/fuzz/args.hpp: the call's arguments)." : '.'),
    ),
    '#pragma once',
    '',
    `#include "../../kernels/generated/${family.file}"`,
    ...(cases.length > 0 ? ['#include "../args.hpp"'] : []),
    '#include "../rules.hpp"',
    '',
    `namespace ${family.namespace}::fuzzing {`,
    '',
    ...(cases.length > 0 ? ['using fuzz::Args;', 'using fuzz::Case;', 'using fuzz::Input;'] : []),
    ...(rows.length > 0 ? ['using fuzz::kMaxInteger;', 'using fuzz::Rule;'] : []),
    ...(rows.length > 0 || cases.length > 0 ? [''] : []),
    ...(rows.length > 0
      ? ['/// The rules of each kernel with packed parameters.', 'inline const fuzz::KernelRules kRules[] = {', ...rows, '};']
      : ['/// No kernel of the family has rules.', 'inline const std::vector<fuzz::KernelRules> kRules;']),
    '',
    ...cases,
    `}  // namespace ${family.namespace}::fuzzing`,
  ];
  return `${lines.join('\n')}\n`;
}

/** native/fuzz/generated_rules.hpp: every family's rules, for fuzz_params.cpp. */
function rulesHeader(): string {
  const lines = [
    ...comment(GENERATED),
    '//',
    ...comment("Every generated family's parameter rules (native/fuzz/generated/), in one list for fuzz_params.cpp."),
    '#pragma once',
    '',
    '#include <vector>',
    '',
    ...FAMILIES.map((f) => `#include "generated/${fuzzFile(f)}"`).sort(),
    '#include "rules.hpp"',
    '',
    'namespace kernelbus::fuzz {',
    '',
    "/// Every family's KernelRules.",
    'inline std::vector<const KernelRules*> generatedRules() {',
    '  std::vector<const KernelRules*> all;',
    ...FAMILIES.map((f) => `  for (const KernelRules& k : ${f.namespace.replace(/^kernelbus::/, '')}::fuzzing::kRules) all.push_back(&k);`),
    '  return all;',
    '}',
    '',
    '}  // namespace kernelbus::fuzz',
  ];
  return `${lines.join('\n')}\n`;
}

const fuzzFile = (f: Family) => f.file.replace('.hpp', '_fuzz.hpp');

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every generated file, [its path from the root, its text]. */
export function generatedFiles(): [string, string][] {
  const dir = 'native/kernels/generated';
  const files: [string, string][] = [
    ...FAMILIES.map((f): [string, string] => [`${dir}/${f.file}`, familyHeader(f)]),
    [`${dir}/param_names.hpp`, namesHeader()],
    ...FAMILIES.map((f): [string, string] => [`native/fuzz/generated/${fuzzFile(f)}`, fuzzHeader(f)]),
    ['native/fuzz/generated_rules.hpp', rulesHeader()],
    ...recordFiles(),
  ];
  for (const [file, text] of files) {
    const long = text.split('\n').find((line) => line.length > COLUMNS);
    if (long) throw new Error(`${file}: a line over ${COLUMNS} columns: ${long}`);
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const files = generatedFiles();
  for (const [file, text] of files) {
    mkdirSync(dirname(join(ROOT, file)), { recursive: true });
    writeFileSync(join(ROOT, file), text);
  }
  console.log(`gen: ${files.map(([f]) => f).join(', ')}`);
}
