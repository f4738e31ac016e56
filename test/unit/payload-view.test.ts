import { describe, expect, it } from 'vitest';
import { buildPayloadView } from '../../src/submissions/payload-view.js';
import type { LocalizedDefinition } from '../../src/templates/definition.schema.js';

const definition = {
  sections: [
    {
      id: 's_site',
      key: 'site',
      label: 'Site',
      fields: [{ id: 'f_photo', key: 'photo', label: 'Photo', type: 'file' }],
      tables: [
        {
          id: 't_pumps',
          key: 'pumps',
          label: 'Pumps',
          columns: [
            { id: 'f_pname', key: 'name', label: 'Pump', type: 'text' },
            { id: 'f_pphoto', key: 'photo', label: 'Pump photo', type: 'file' },
          ],
        },
      ],
    },
  ],
} as unknown as LocalizedDefinition;

describe('buildPayloadView', () => {
  it("gives a table's file cells their file ids and the column's type, so they list names like a file field", () => {
    const view = buildPayloadView(
      definition,
      { site: { photo: ['a1'], pumps: [{ name: 'Hand pump', photo: ['b1', 'b2'] }, { name: 'Solar pump' }] } },
      { title: 'Wells', version: 1 },
    );
    const table = view.sections[0]!.tables[0]!;
    expect(table.types).toEqual(['text', 'file']);
    expect(table.values).toEqual([
      ['Hand pump', ['b1', 'b2']],
      ['Solar pump', null],
    ]);
    // The words stay for whoever reads only the text (exports, the plain view).
    expect(table.rows).toEqual([
      ['Hand pump', '2 files'],
      ['Solar pump', '—'],
    ]);
    expect(view.sections[0]!.fields[0]!.value).toEqual(['a1']);
  });
});
