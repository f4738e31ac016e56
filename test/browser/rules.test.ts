import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { CASES, CLOCK } from '../rules/cases.js';
import { FORMS } from '../rules/forms.js';

/**
 * The rules table (test/rules/cases.ts) in Chromium, against the engine bundled for the browser
 * (esbuild, platform "browser": a Node-only import would fail the build): the very verdicts the
 * unit tests get in Node, case by case, and the same computed values (calculations, defaults).
 */

type Verdict = { problems: { path: string; label: string; message: string }[]; answer: unknown };

let browser: Browser;
let bundle: string;

beforeAll(async () => {
  const result = await build({
    entryPoints: ['src/rules/index.ts'],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'GridbookRules',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('the rules engine in Chromium', () => {
  it('gives every case of the table the verdict it gets in Node', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: bundle });
    const verdicts = await page.evaluate(
      ({ forms, cases, clock }) => {
        const engine = (globalThis as unknown as { GridbookRules: typeof import('../../src/rules/index.js') })
          .GridbookRules;
        return cases.map((c) => {
          const verdict = engine
            .compileRules(forms[c.form] as never, c.lang)
            .judge(c.answer, { draft: c.draft === true, clock: engine.fixedClock(clock) });
          return {
            answer: verdict.answer,
            problems: verdict.problems.map((p) => ({ path: p.path, label: p.label, message: p.message })),
          };
        });
      },
      { forms: FORMS as Record<string, unknown>, cases: CASES, clock: CLOCK },
    );
    expect(verdicts).toHaveLength(CASES.length);
    // Problems, and the values the engine computed (calculations, defaults), case by case.
    const valueAt = (answer: unknown, path: string) =>
      path
        .split(/\.|\[(\d+)\]/)
        .filter((p) => p !== undefined && p !== '')
        .reduce<unknown>(
          (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
          answer,
        );
    const mismatches = CASES.flatMap((c, i) => {
      const verdict = verdicts[i] as Verdict;
      const got = verdict.problems.map((p) => `${p.path} (${p.label}): ${p.message}`);
      const computed = Object.entries(c.computed ?? {}).filter(
        ([path, value]) => JSON.stringify(valueAt(verdict.answer, path)) !== JSON.stringify(value),
      );
      return JSON.stringify(got) === JSON.stringify(c.expect) && !computed.length
        ? []
        : [{ case: i, answer: c.answer, expected: c.expect, got, computed }];
    });
    expect(mismatches).toEqual([]);
    // The same chain of conditions, read as the preview reads it (values by field id).
    const shown = await page.evaluate((form) => {
      const engine = (globalThis as unknown as { GridbookRules: typeof import('../../src/rules/index.js') })
        .GridbookRules;
      const rules = engine.compileRules(form as never);
      return [
        [...rules.shownFieldsById('s_chain', {})],
        [...rules.shownFieldsById('s_chain', { f_a: true, f_bb: 'x', f_num: '3', f_u: true })],
      ];
    }, FORMS.chain as unknown);
    expect(shown).toEqual([
      ['f_a', 'f_num', 'f_q', 'f_u', 'f_v'],
      ['f_a', 'f_bb', 'f_cc', 'f_num', 'f_m', 'f_q', 'f_u'],
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
