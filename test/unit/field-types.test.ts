import { describe, expect, it } from 'vitest';
import { exportSheets } from '../../src/exports/export-plan.js';
import { compileRules } from '../../src/rules/index.js';
import { localize } from '../../src/rules/language.js';
import { projectPayload } from '../../src/submissions/projection.js';
import type { TemplateLayout } from '../../src/templates/catalog.js';
import { currentViews } from '../../src/templates/current-views.js';
import type { Definition } from '../../src/templates/definition.schema.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import { compileJsonSchema } from '../../src/templates/json-schema.js';
import { deriveNaming } from '../../src/templates/naming.js';
import { planPublish } from '../../src/templates/plan.js';
import { definitionProblems } from '../helpers/definitions.js';

/** Geopoint, signature and note: the definition, the engine, and the columns a geopoint takes. */

const field = (f: Record<string, unknown>) => ({ id: 'f_one', key: 'one', label: 'One', ...f });
const form = (...fields: Record<string, unknown>[]) => ({
  sections: [{ id: 's_main', key: 'main', label: 'Main', fields }],
});
const inTable = (column: Record<string, unknown>) => ({
  sections: [
    {
      id: 's_main',
      key: 'main',
      label: 'Main',
      fields: [],
      tables: [{ id: 't_rows', key: 'rows', label: 'Rows', columns: [column] }],
    },
  ],
});

const VISIT = validateDefinition(
  form(
    { id: 'f_note', key: 'intro', label: 'Read this first. '.repeat(100).trim(), type: 'note' },
    { id: 'f_loc', key: 'location', label: 'Location', type: 'geopoint', rules: { required: true } },
    { id: 'f_sig', key: 'signature', label: 'Signature', type: 'signature' },
    { id: 'f_size', key: 'size', label: 'Size', type: 'integer' },
  ),
);

describe('the definition of the new types', () => {
  it('accepts a geopoint, a signature and a note (whose label may be long)', () => {
    expect(VISIT.sections[0]!.fields.map((f) => f.type)).toEqual(['note', 'geopoint', 'signature', 'integer']);
  });

  it('refuses what does not fit them, each on its path', () => {
    expect(definitionProblems(form(field({ type: 'note', rules: { required: true } })))).toEqual([
      'sections[0].fields[0].rules.required: does not apply to a note field',
    ]);
    expect(
      definitionProblems(form(field({ type: 'note', constraints: [{ expression: '1 = 1', message: 'm' }] }))),
    ).toEqual(['sections[0].fields[0].constraints: a note holds no answer: it has no constraints']);
    expect(definitionProblems(form(field({ type: 'note', default: "'x'" })))).toEqual([
      'sections[0].fields[0].default: a note field has no default',
    ]);
    expect(definitionProblems(form(field({ type: 'geopoint', rules: { min: 0 } })))).toEqual([
      'sections[0].fields[0].rules.min: does not apply to a geopoint field',
    ]);
    expect(definitionProblems(form(field({ type: 'geopoint', default: '1' })))).toEqual([
      'sections[0].fields[0].default: a geopoint field has no default',
    ]);
    expect(definitionProblems(form(field({ type: 'signature', multiple: true })))).toEqual([
      'sections[0].fields[0].multiple: only file fields take several values this way',
    ]);
    expect(definitionProblems(form(field({ type: 'signature', rules: { accept: ['image/jpeg'] } })))).toEqual([
      'sections[0].fields[0].rules.accept: does not apply to a signature field',
    ]);
    expect(definitionProblems(inTable(field({ type: 'signature' })))).toEqual([
      'sections[0].tables[0].columns[0].type: signature fields go in sections, not in repeating tables',
    ]);
    expect(definitionProblems(inTable(field({ type: 'note' })))).toEqual([
      'sections[0].tables[0].columns[0].type: note fields go in sections, not in repeating tables',
    ]);
    expect(definitionProblems(form(field({ type: 'text', label: 'x'.repeat(301) })))).toEqual([
      'sections[0].fields[0].label: must have at most 300 characters (a longer text is a note)',
    ]);
    expect(definitionProblems(form(field({ type: 'note', label: 'x'.repeat(5001) })))[0]).toMatch(
      /^\/sections\/0\/fields\/0\/label|^sections\[0\]\.fields\[0\]\.label/,
    );
  });

  it('refuses an expression that reads a geopoint or a note, with the checker message', () => {
    const reading = (expression: string) =>
      definitionProblems(
        form(
          { id: 'f_loc', key: 'location', label: 'Location', type: 'geopoint' },
          { id: 'f_note', key: 'intro', label: 'Intro', type: 'note' },
          { id: 'f_sig', key: 'sig', label: 'Signature', type: 'signature' },
          { id: 'f_x', key: 'x', label: 'X', type: 'integer', showIf: expression },
        ),
      );
    expect(reading('${location} != null')).toEqual([
      'sections[0].fields[3].showIf: ${location} at character 1: a geopoint (a location) ' +
        'cannot be read by an expression; make it required, or ask a question about it',
    ]);
    expect(reading("${intro} = 'a'")).toEqual([
      'sections[0].fields[3].showIf: ${intro} at character 1: a note is display-only text and holds no answer to read',
    ]);
    // A signature reads as the list of its file id: count() says whether it is signed.
    expect(reading('count(${sig}) > 0')).toEqual([]);
    // The object form of showIf cannot depend on them either.
    expect(
      definitionProblems(
        form(
          { id: 'f_loc', key: 'location', label: 'Location', type: 'geopoint' },
          { id: 'f_x', key: 'x', label: 'X', type: 'integer', showIf: { field: 'f_loc', equals: 1 } },
        ),
      ),
    ).toEqual(['sections[0].fields[1].showIf.field: cannot depend on a geopoint field']);
  });

  it('publishes a JSON Schema of the point, the signature as a list of one file id, and the note as read-only', () => {
    const schema = compileJsonSchema(localize(VISIT), { templateId: '1', version: 1, title: 'T' }) as {
      properties: { main: { properties: Record<string, Record<string, unknown>>; required: string[] } };
    };
    const main = schema.properties.main;
    expect(main.required).toEqual(['location']);
    expect(main.properties.location).toMatchObject({
      type: 'object',
      required: ['latitude', 'longitude'],
      additionalProperties: false,
    });
    expect(main.properties.signature).toMatchObject({ anyOf: [{ type: 'array', maxItems: 1 }, { type: 'null' }] });
    expect(main.properties.intro).toMatchObject({ readOnly: true });
  });
});

describe('the engine on the new types', () => {
  const rules = compileRules(VISIT);
  it('refuses an out-of-range part at its own path, and drops a value sent for a note', () => {
    const verdict = rules.judge({
      main: { intro: 'echoed', location: { latitude: 12, longitude: 200 }, signature: ['4'] },
    });
    expect(verdict.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'main.location.longitude: Enter a longitude from -180 to 180',
    ]);
    expect(verdict.answer).toEqual({ main: { location: { latitude: 12, longitude: 200 }, signature: ['4'] } });
  });
});

describe('a geopoint in the tables', () => {
  const naming = deriveNaming('7', VISIT, null);
  const columns = naming.sections.s_main!.columns;

  it('takes one double precision column per part, and a note none', () => {
    expect(columns).toEqual({
      'f_loc.lat': { name: 'location_lat' },
      'f_loc.lon': { name: 'location_lon' },
      'f_loc.alt': { name: 'location_alt' },
      'f_loc.acc': { name: 'location_acc' },
      f_sig: { name: 'signature' },
      f_size: { name: 'size' },
    });
    const plan = planPublish(VISIT, naming, null);
    expect(plan.statements[1]!.sql).toContain(
      '"location_lat" double precision,\n  "location_lon" double precision,\n  "location_alt" double precision,\n  "location_acc" double precision',
    );
    expect(plan.statements[1]!.sql).toContain('"signature" bigint[]');
    expect(plan.statements[1]!.sql).not.toContain('intro');
  });

  it('adds the columns of a new geopoint, and retires them with their data when it goes', () => {
    const v1 = validateDefinition(form({ id: 'f_size', key: 'size', label: 'Size', type: 'integer' }));
    const n1 = deriveNaming('7', v1, null);
    const n2 = deriveNaming('7', VISIT, n1);
    const plan = planPublish(VISIT, n2, { version: 1, definition: v1, naming: n1 });
    expect(plan.statements.map((s) => s.sql)).toEqual([
      'ALTER TABLE "forms"."f7_main"\n  ADD COLUMN "location_lat" double precision,\n  ADD COLUMN "location_lon" ' +
        'double precision,\n  ADD COLUMN "location_alt" double precision,\n  ADD COLUMN "location_acc" double ' +
        'precision,\n  ADD COLUMN "signature" bigint[]',
    ]);
    expect(plan.changes).toEqual(['add field main.intro'.replace('intro', 'location'), 'add field main.signature']);
    const v3 = validateDefinition(form({ id: 'f_size', key: 'size', label: 'Size', type: 'integer' }));
    const n3 = deriveNaming('7', v3, n2);
    expect(n3.sections.s_main!.columns['f_loc.lat']).toEqual({ name: 'location_lat', retired: true });
    const removal = planPublish(v3, n3, { version: 2, definition: VISIT, naming: n2 });
    expect(removal.statements).toEqual([]);
    expect(removal.changes).toContain(
      'remove main.location (columns location_lat, location_lon, location_alt, location_acc kept, retired)',
    );
    expect(removal.changes).toContain('remove main.intro');
  });

  it('changes a text field into a geopoint by adding its columns and retiring the old one', () => {
    const v1 = validateDefinition(form({ id: 'f_loc', key: 'location', label: 'Location', type: 'text' }));
    const n1 = deriveNaming('7', v1, null);
    const v2 = validateDefinition(form({ id: 'f_loc', key: 'location', label: 'Location', type: 'geopoint' }));
    const n2 = deriveNaming('7', v2, n1);
    const plan = planPublish(v2, n2, { version: 1, definition: v1, naming: n1 });
    expect(plan.statements.map((s) => s.sql)).toEqual([
      'ALTER TABLE "forms"."f7_main"\n  ADD COLUMN "location_lat" double precision,\n  ADD COLUMN "location_lon" ' +
        'double precision,\n  ADD COLUMN "location_alt" double precision,\n  ADD COLUMN "location_acc" double precision',
    ]);
    expect(plan.checks).toEqual([]);
    expect(n2.sections.s_main!.columns.f_loc).toEqual({ name: 'location', retired: true });
  });

  it('is projected part by part, exported one column each, and viewed under the current keys', () => {
    const table = naming.sections.s_main!;
    const layout = {
      templateId: '7',
      version: 1,
      schema: 'forms',
      sections: new Map([
        [
          's_main',
          {
            name: table.name,
            naming: table,
            types: new Map(Object.values(table.columns).map((c) => [c.name, 'double precision'])),
          },
        ],
      ]),
      tables: new Map(),
    } as unknown as TemplateLayout;
    const rows = projectPayload(
      '5',
      { main: { location: { latitude: -1.5, longitude: 36.8, accuracy: 4 }, signature: ['9'], size: 3 } },
      VISIT,
      layout,
    );
    expect(rows.byTable.get('f7_main')).toEqual([
      {
        submission_id: '5',
        location_lat: -1.5,
        location_lon: 36.8,
        location_alt: null,
        location_acc: 4,
        signature: ['9'],
        size: 3,
      },
    ]);
    const [main] = exportSheets(localize(VISIT), layout);
    expect(main!.headers.slice(4)).toEqual([
      'Location (latitude)',
      'Location (longitude)',
      'Location (altitude)',
      'Location (accuracy)',
      'Signature',
      'Size',
    ]);
    expect(main!.kinds.slice(4)).toEqual(['number', 'number', 'number', 'number', 'list', 'number']);
    const [view] = currentViews(naming, VISIT as Definition, { grid: 'ops', template: 'visit' });
    expect(view!.columns).toEqual([
      ['submission_id', 'submission_id'],
      ['location_lat', 'location_lat'],
      ['location_lon', 'location_lon'],
      ['location_alt', 'location_alt'],
      ['location_acc', 'location_acc'],
      ['signature', 'signature'],
      ['size', 'size'],
    ]);
  });
});
