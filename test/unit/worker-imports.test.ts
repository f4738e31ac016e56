import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/paths.js';

/**
 * What a module loads at run time: its imports and re-exports that are not type-only (`import
 * type`, or only `type` names: both are erased by the compiler) and its `import()` calls with a
 * literal specifier, read from TypeScript's own syntax tree.
 */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const typeOnly = (clause: ts.ImportClause | undefined) =>
    clause !== undefined &&
    (clause.isTypeOnly ||
      (!clause.name &&
        clause.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((e) => e.isTypeOnly)));
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !typeOnly(node.importClause))
      found.push(node.moduleSpecifier.text);
    if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      !node.isTypeOnly
    )
      found.push(node.moduleSpecifier.text);
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The packages a program loads, from the import graph of its entry point, followed through the
 * project's files and stopped at each package, whose name is kept.
 */
function packagesLoadedBy(entry: string): { packages: Set<string>; files: Set<string> } {
  const config = ts.readConfigFile(path.join(PROJECT_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, PROJECT_ROOT);
  const cache = ts.createModuleResolutionCache(PROJECT_ROOT, (f) => f, options);
  const packages = new Set<string>();
  const files = new Set<string>();
  const pending = [path.join(PROJECT_ROOT, entry)];
  while (pending.length) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('node:')) continue;
      if (!specifier.startsWith('.')) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys, cache).resolvedModule;
      if (!resolved) throw new Error(`${path.relative(PROJECT_ROOT, file)}: cannot resolve ${specifier}`);
      pending.push(resolved.resolvedFileName);
    }
  }
  return { packages, files };
}

const ADMIN_PANEL = /^(adminjs|@adminjs\/.*|express-formidable|@bull-board\/.*)$/;

describe('composition roots', () => {
  it('the worker process never loads the admin panel', () => {
    const { packages, files } = packagesLoadedBy('src/cli/worker.ts');
    expect([...packages].filter((p) => ADMIN_PANEL.test(p))).toEqual([]);
    expect([...files].map((f) => path.relative(PROJECT_ROOT, f)).filter((f) => f.startsWith('admin/'))).toEqual([]);
    // It does load what it runs (the walk follows the graph).
    expect(packages).toContain('bullmq');
  });

  it('the web process does load it (the walk finds what is there)', () => {
    expect(packagesLoadedBy('src/cli/web.ts').packages).toContain('adminjs');
  });
});
