/**
 * The C++ of a kernel whose descriptor gives its call as data (`signature` and data `dims`,
 * src/kernels/signature.ts), for scripts/gen-native.ts: its output layout (<kernel>Parts, Length and
 * Out, the struct of named pointers it writes through), its declaration (the kernel written by hand in
 * native/kernels/ defines it), its entry (the parameters unpacked, every length checked, the kernel
 * called: templated over the kernel, so that another backend's kernel of the same signature runs
 * behind the same checks), the line that registers the entry, and its libFuzzer case. Also the
 * ParamReader call of each parameter rule (readCall), which scripts/gen-records.ts uses for a packed
 * record's fields.
 */
import type { KernelSpec, Shape } from '../src/kernels/descriptor.js';
import type { Rule } from '../src/kernels/param-rules.js';
import { argsOf, dimSource, type ArgSpec, type DimsData } from '../src/kernels/signature.js';

/** The generated code's line length (.clang-format). */
export const COLUMNS = 140;

export const capitalized = (name: string) => name[0].toUpperCase() + name.slice(1);

/** Comments are wrapped shorter than the code's COLUMNS, for reading. */
const COMMENT_COLUMNS = 110;

/** `// text` at `indent`, wrapped at COMMENT_COLUMNS on spaces. */
export function comment(text: string, indent = ''): string[] {
  const lines: string[] = [];
  let line = `${indent}//`;
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > COMMENT_COLUMNS && line !== `${indent}//`) {
      lines.push(line);
      line = `${indent}//`;
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** Whether the generator writes `spec`'s C++ side: its call and dimensions are data. */
export function generatesEntry(spec: KernelSpec): boolean {
  return spec.signature !== undefined && spec.dims !== undefined && typeof spec.dims !== 'function' && spec.outputs !== undefined;
}

/** The C++ type of a parameter of `rule` (as its Params field). */
export function cppType(rule: Rule): string {
  if (rule.kind === 'code') return 'int';
  if (rule.kind === 'flag') return 'bool';
  if (rule.kind === 'int' && rule.lo >= 0) return 'size_t';
  return 'double';
}

/** The largest integer a rule's range may name: its C++ read leaves hi out. */
export const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

/** The ParamReader call that reads a parameter of `rule` (the reader is `p`), as its field's type. */
export function readCall(rule: Rule): string {
  switch (rule.kind) {
    case 'int': {
      const read = rule.hi === undefined || rule.hi === MAX_INTEGER ? `p.integer(${rule.lo})` : `p.integer(${rule.lo}, ${rule.hi})`;
      return rule.lo >= 0 ? `static_cast<size_t>(${read})` : read;
    }
    case 'code':
      return `static_cast<int>(p.integer(0, ${rule.values.length - 1}))`;
    case 'flag':
      return 'p.integer(0, 1) == 1';
    default:
      return readDouble(rule);
  }
}

/** The ParamReader call of `rule` as a double (a `when` rule's branches, whose field is a double). */
export function readDouble(rule: Rule): string {
  switch (rule.kind) {
    case 'finite':
    case 'positive':
    case 'aboveZero':
    case 'openUnit':
      return `p.${rule.kind}()`;
    case 'above':
    case 'atLeast':
    case 'zeroOrAbove':
      return `p.${rule.kind}(${rule.lo})`;
    case 'closed':
    case 'halfOpen':
      return `p.${rule.kind}(${rule.lo}, ${rule.hi})`;
    case 'closedOr':
      return `p.closedOr(${rule.lo}, ${rule.hi}, ${rule.off})`;
    case 'int':
      return rule.hi === undefined || rule.hi === MAX_INTEGER ? `p.integer(${rule.lo})` : `p.integer(${rule.lo}, ${rule.hi})`;
    case 'code':
      return `p.integer(0, ${rule.values.length - 1})`;
    case 'flag':
      return 'p.integer(0, 1)';
    case 'when':
      throw new Error('a when rule is read by its cases (kernelParams)');
  }
}

/** What the generator reads of a kernel's descriptor. */
interface Kernel {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly params: readonly { key: string; rule: Rule }[];
  readonly outputs: readonly (readonly [string, Shape])[];
  readonly dims: DimsData;
  readonly workspace?: string;
  /** The arrays' own lengths a shape names (`x[n]`: n), by name: the index of the array that gives it. */
  readonly lengths: ReadonlyMap<string, number>;
}

function kernelOf(name: string, spec: KernelSpec): Kernel {
  // C++ calls an argument by the last part of its name (model.factorCov: factorCov)
  const args = argsOf(spec.signature as string).map((a) => ({ ...a, name: a.name.slice(a.name.lastIndexOf('.') + 1) }));
  const known = new Set([...args.filter((a) => !a.shape).map((a) => a.name), ...spec.params.map((p) => p.key)]);
  const lengths = new Map<string, number>();
  args.forEach((a, i) => {
    if (a.shape?.length === 1 && !known.has(a.shape[0]) && !lengths.has(a.shape[0])) lengths.set(a.shape[0], i);
  });
  return {
    name,
    lengths,
    args,
    params: spec.params.map((p) => ({ key: p.key, rule: p.rule })),
    outputs: Object.entries(spec.outputs as Record<string, Shape>),
    dims: spec.dims as DimsData,
    workspace: spec.workspace,
  };
}

/** A count or parameter by name, as the entry reads it (a parameter from the unpacked `values`). */
function readOf(k: Kernel, name: string): string {
  if (k.args.some((a) => a.name === name && !a.shape) || k.lengths.has(name)) return name;
  if (k.params.some((p) => p.key === name)) return `values.${name}`;
  throw new Error(`${k.name}: '${name}' is not a count or parameter of its call`);
}

/**
 * The product of `names` as C++, folded from the right (`cells(a, cells(b, c))`): cells() saturates at
 * kTooLarge, so a trailing product that cannot fit (n x n of a stack of covCount) is refused even
 * when a leading count is 0.
 */
function product(names: readonly string[]): string {
  return names.reduceRight((acc, n) => (acc === '' ? n : `cells(${n}, ${acc})`), '');
}

/** The size of an output of `shape` from its dimensions' parameters. */
const sizeOf = (shape: Shape) => (shape.length === 0 ? '1' : product(shape));

/** The dimensions the layout functions take, in the descriptor's order. */
const dimNames = (k: Kernel) => Object.keys(k.dims);

/** A dimension's value as the entry computes it from the call. */
function dimValue(k: Kernel, dim: string): string {
  const { name, less } = dimSource(k.dims[dim]);
  const v = readOf(k, name);
  return less ? `(${v} > 0 ? ${v} - 1 : 0)` : v;
}

/** <kernel>Length (and, for several outputs, the Out struct, Parts and Out()). */
function layout(k: Kernel): string[] {
  const params = dimNames(k)
    .map((d) => `size_t ${d}`)
    .join(', ');
  const dims = dimNames(k).join(', ');
  const shapes = k.outputs.map(([name, shape]) => `${name} [${shape.join(', ')}]`).join(', ');
  if (k.outputs.length === 1) {
    return [...comment(`${k.name}'s output: ${shapes}`), `inline size_t ${k.name}Length(${params}) { return ${sizeOf(k.outputs[0][1])}; }`];
  }
  const type = `${capitalized(k.name)}Out`;
  const n = k.outputs.length;
  const sizes = k.outputs.map(([, shape]) => sizeOf(shape));
  const lines = comment(`${k.name}'s outputs, in the order they lie in its output array: ${shapes}`);
  lines.push(
    ...wrapped(
      `struct ${type} {`,
      k.outputs.map(([name]) => `*${name}`),
      '  double ',
      ';',
      '};',
    ),
  );
  const same = sizes.every((s) => s === sizes[0]);
  if (same) {
    lines.push(
      `inline std::array<size_t, ${n}> ${k.name}Parts(${params}) {`,
      `  std::array<size_t, ${n}> parts;`,
      `  parts.fill(${sizes[0]});`,
      '  return parts;',
      '}',
    );
  } else {
    lines.push(`inline std::array<size_t, ${n}> ${k.name}Parts(${params}) { return {${sizes.join(', ')}}; }`);
  }
  lines.push(
    `inline size_t ${k.name}Length(${params}) { return total(${k.name}Parts(${dims})); }`,
    `inline ${type} ${k.name}Out(${['double* out', ...(params ? [params] : [])].join(', ')}) {`,
    `  const auto at = split(out, ${k.name}Parts(${dims}));`,
    `  return {${k.outputs.map((_, i) => `at[${i}]`).join(', ')}};`,
    '}',
  );
  return lines;
}

/**
 * `head`, then `items` joined by ', ' with `first` before them and `end` after, on one line when it
 * fits, else packed on continuation lines as clang-format packs a declaration, then `tail`.
 */
function wrapped(head: string, items: readonly string[], first: string, end: string, tail: string): string[] {
  const one = `${first}${items.join(', ')}${end}`;
  if (one.length <= COLUMNS) return [head, one, tail];
  const lines = [head];
  let line = first;
  const indent = `${' '.repeat(first.length - first.trimStart().length)}    `;
  items.forEach((item, i) => {
    const piece = `${item}${i < items.length - 1 ? ',' : end}`;
    const sep = line === first || line === indent ? '' : ' ';
    if ((line + sep + piece).length > COLUMNS) {
      lines.push(line);
      line = indent + piece;
    } else line += sep + piece;
  });
  return [...lines, line, tail];
}

/** `text(args...)` with the args broken as clang-format breaks a call or declaration over 140 columns. */
function call(text: string, args: readonly string[], end: string, indent = ''): string[] {
  const one = `${indent}${text}(${args.join(', ')})${end}`;
  if (one.length <= COLUMNS) return [one];
  const lines: string[] = [];
  let line = `${indent}${text}(`;
  const cont = ' '.repeat(line.length);
  args.forEach((arg, i) => {
    const piece = `${arg}${i < args.length - 1 ? ',' : `)${end}`}`;
    const start = line.endsWith('(');
    if (line.length + (start ? 0 : 1) + piece.length > COLUMNS) {
      lines.push(line);
      line = cont + piece;
    } else line += (start ? '' : ' ') + piece;
  });
  return [...lines, line];
}

/** The kernel's C++ parameters: each array a pointer, each count a size_t, each parameter its Params type, then out. */
function kernelParams(k: Kernel): string[] {
  return [
    ...k.args.flatMap((a, i) =>
      a.shape ? [`const double* ${a.name}`, ...lengthsOf(k, i).map((n) => `size_t ${n}`)] : [`size_t ${a.name}`],
    ),
    ...k.params.map((p) => `${cppType(p.rule)} ${p.key}`),
    'double* out',
  ];
}

/** The lengths argument `i` gives (the names the kernel takes after it). */
function lengthsOf(k: Kernel, i: number): string[] {
  return [...k.lengths].filter(([, at]) => at === i).map(([name]) => name);
}

/** The JS call's argument names (the binding's signature string): the arguments, `params` when there are any, `out`. */
export function callNames(spec: KernelSpec): string[] {
  return [...argsOf(spec.signature as string).map((a) => a.name), ...(spec.params.length > 0 ? ['params'] : []), 'out'];
}

/** The kernel's declaration. */
function declaration(k: Kernel): string[] {
  return [`/// ${k.name}: defined in native/kernels/; its entry below checks the call.`, ...call(`Status ${k.name}`, kernelParams(k), ';')];
}

/** The entry: unpack, the working set, each array's length, the output's, then the kernel. */
function entry(ns: string, k: Kernel, spec: KernelSpec): string[] {
  const names = callNames(spec);
  const inputs = [
    ...k.args.map((a) => (a.shape ? `In ${a.name}` : `size_t ${a.name}`)),
    ...(k.params.length > 0 ? ['Packed params'] : []),
    'Out out',
  ];
  const lines = [`/// ${k.name}(${names.join(', ')})`, `template <auto Kernel = &${ns}::${k.name}>`];
  lines.push(...call(`Outcome ${k.name}`, inputs, ' {'));
  if (k.params.length > 0) {
    lines.push(`  ${capitalized(k.name)}Params values;`, '  if (Outcome o = unpack(params, values); !o.ok()) return o;');
  }
  if (k.workspace) {
    const parts = argsOf(`w[${k.workspace}]`)[0].shape as string[];
    const at = k.args.findIndex((a) => a.name === parts[0]);
    lines.push(
      `  if (${product(parts.map((n) => readOf(k, n)))} == kTooLarge) {`,
      `    return ArgFault{${at}, -1, "a size that fits in memory", "${parts.join(' x ')} too large"};`,
      '  }',
    );
  }
  for (const [name, at] of k.lengths) lines.push(`  const size_t ${name} = ${k.args[at].name}.length;`);
  k.args.forEach((a, i) => {
    if (!a.shape || lengthsOf(k, i).length > 0) return;
    const length = product(a.shape.map((n) => readOf(k, n)));
    lines.push(`  if (Outcome o = requireLength(${i}, ${a.name}, ${length}, "${a.shape.join(' x ')}"); !o.ok()) return o;`);
  });
  const dims = dimNames(k).map((d) => dimValue(k, d));
  lines.push(
    ...call(
      `  if (Outcome o = requireLength`,
      [`${names.length - 1}`, 'out', `${k.name}Length(${dims.join(', ')})`],
      '; !o.ok()) return o;',
    ),
  );
  const passed = [
    ...k.args.flatMap((a, i) => (a.shape ? [`${a.name}.data`, ...lengthsOf(k, i)] : [a.name])),
    ...k.params.map((p) => `values.${p.key}`),
    'out.data',
  ];
  lines.push(...call('  return Kernel', passed, ';'), '}');
  return lines;
}

/** The generated C++ of a family's kernels with data calls: layouts, declarations, entries, registration. */
export function familyEntries(ns: string, kernels: Readonly<Record<string, KernelSpec>>): string[] {
  const list = Object.entries(kernels).filter(([, spec]) => generatesEntry(spec));
  if (list.length === 0) return [];
  const lines: string[] = [
    '// ---------------------------------------------------------------------------------------------',
    "// The kernels whose calls are data (a descriptor's signature and dims): their output layouts and",
    "// declarations, then their entries (entry.hpp) and the binding's registration of them.",
    '',
  ];
  for (const [name, spec] of list) lines.push(...layout(kernelOf(name, spec)), ...declaration(kernelOf(name, spec)), '');
  lines.push('namespace entry {', '');
  for (const [name, spec] of list) lines.push(...entry(ns, kernelOf(name, spec), spec), '');
  lines.push(
    '/// Every entry above, each given to `to.template add<Entry>(signature)` (the binding registers <name> and <name>Async).',
    'template <typename To>',
    'void addEntries(To& to) {',
  );
  for (const [name, spec] of list) {
    const one = `  to.template add<${name}<>>("${name}(${callNames(spec).join(', ')})");`;
    // as clang-format breaks a call too long: after the parenthesis, the string on a line of its own
    lines.push(...(one.length <= COLUMNS ? [one] : [`  to.template add<${name}<>>(`, `      "${name}(${callNames(spec).join(', ')})");`]));
  }
  lines.push('}', '', '}  // namespace entry', '');
  return lines;
}

/** A valid value of a parameter of `rule` as the fuzz case draws it (`in`: fuzz::Input): small integers, any value in range. */
function validDraw(rule: Rule): string {
  switch (rule.kind) {
    case 'finite':
      return 'in.real(-1e6, 1e6)';
    case 'positive':
    case 'aboveZero':
      return 'in.real(1e-3, 1e4)';
    case 'above':
    case 'zeroOrAbove':
      return `in.real(${rule.lo} + 1e-6, ${rule.lo} + 10)`;
    case 'atLeast':
      return `in.real(${rule.lo}, ${rule.lo} + 10)`;
    case 'openUnit':
      return 'in.real(1e-9, 1 - 1e-9)';
    case 'closed':
    case 'closedOr':
      return `in.real(${rule.lo}, ${rule.hi})`;
    case 'int':
      return `double(in.in<int>(${rule.lo}, ${Math.min(rule.hi ?? Number.MAX_SAFE_INTEGER, rule.lo + 63)}))`;
    case 'code':
      return `double(in.in<int>(0, ${rule.values.length - 1}))`;
    case 'flag':
      return 'double(in.in<int>(0, 1))';
    case 'halfOpen':
      return `in.real(${rule.lo}, ${rule.hi} - 1e-9)`;
    case 'when':
      return validDraw(rule.otherwise);
  }
}

/** A family's fuzz cases (native/fuzz/generated/): each entry called with arbitrary counts, arrays and parameters. */
export function fuzzCases(kernels: Readonly<Record<string, KernelSpec>>): string[] {
  const list = Object.entries(kernels).filter(([, spec]) => generatesEntry(spec));
  if (list.length === 0) return [];
  const lines: string[] = [];
  for (const [name, spec] of list) {
    const k = kernelOf(name, spec);
    lines.push(
      `// ${name}(${callNames(spec).join(', ')})`,
      `inline void ${name}(Args& a, Input&${k.params.length > 0 || k.lengths.size > 0 ? ' in' : ''}) {`,
    );
    for (const arg of k.args) if (!arg.shape) lines.push(`  const size_t ${arg.name} = a.count();`);
    if (k.params.length > 0) {
      const draws = k.params.map((p) => validDraw(p.rule));
      lines.push(
        '  std::vector<double> valid;',
        ...draws.map((d) => `  valid.push_back(${d});`),
        '  const Packed params = a.params(valid);',
      );
      const counts = k.params.filter((p) => cppType(p.rule) === 'size_t').map((p) => `values.${p.key} > 4096`);
      // whether a length or dimension is a parameter's: the case then follows the value the entry reads
      const named = [...k.args.flatMap((a) => a.shape ?? []), ...Object.values(k.dims).map((e) => dimSource(e).name)];
      const read = named.some((n) => k.params.some((p) => p.key === n));
      if (counts.length > 0) {
        const skip = `  if (unpack(params, values).ok() && (${counts.join(' || ')})) return;`;
        const note = '  // valid, but too costly to fuzz';
        // the note after the check, or above it where the line would pass the column limit
        const guard = skip.length + note.length > 140 ? [note.trimEnd(), skip] : [`${skip}${note}`];
        lines.push(`  ${capitalized(name)}Params values;`, ...guard);
      } else if (read) {
        lines.push(
          `  ${capitalized(name)}Params values;`,
          '  unpack(params, values);  // what the entry reads (zeros after a fault): the lengths follow it',
        );
      }
    }
    k.args.forEach((arg, i) => {
      if (!arg.shape) return;
      const own = lengthsOf(k, i);
      if (own.length === 0) lines.push(`  const In ${arg.name} = a.input(${product(arg.shape.map((n) => readOf(k, n)))});`);
      else
        lines.push(`  const In ${arg.name} = a.any(in.in<size_t>(0, 40));`, ...own.map((n) => `  const size_t ${n} = ${arg.name}.length;`));
    });
    const dims = dimNames(k).map((d) => dimValue(k, d));
    lines.push(`  const Out out = a.output(${name}Length(${dims.join(', ')}));`);
    const passed = [...k.args.map((a) => a.name), ...(k.params.length > 0 ? ['params'] : []), 'out'];
    lines.push(...call('  if (a.affordable()) a.check', [`entry::${name}<>(${passed.join(', ')})`], ';'), '}', '');
  }
  // one row a line, whatever their lengths (clang-format would pack short rows)
  lines.push('/// The cases above, by kernel name.', '// clang-format off', 'inline const Case kCases[] = {');
  for (const [name] of list) lines.push(`    {"${name}", ${name}},`);
  lines.push('};', '// clang-format on', '');
  return lines;
}
