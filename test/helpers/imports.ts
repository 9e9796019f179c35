/** Reading a module's imports from its source (the import-graph test and kernelbus/io's laziness test). */

/** The source without its comments. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The static import and re-export specifiers of a module's source (comments removed first). */
export function specifiersOf(source: string): string[] {
  const code = withoutComments(source);
  const out: string[] = [];
  const statement = /(?:^|;|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) out.push(m[1]);
  return out;
}

/** The specifiers of a module's dynamic `import('...')` calls with a literal argument (comments removed first). */
export function dynamicSpecifiersOf(source: string): string[] {
  return [...withoutComments(source).matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
}
