import { describe, expect, it } from 'vitest';
import { describeDefinitionPath, humanDefinitionNotice, ordinalOf } from '../../src/templates/definition-path.js';

const definition = {
  languages: ['sw', 'en'],
  sections: [
    {
      key: 'household',
      label: 'Household',
      fields: [
        { key: 'head', label: 'Head of household' },
        { key: 'adults', label: { en: 'Adults', sw: 'Watu wazima' } },
        { key: 'nolabel', label: '' },
      ],
      tables: [
        {
          key: 'members',
          label: 'Members',
          columns: [
            { key: 'name', label: 'Name' },
            { key: 'age', label: 'Age' },
          ],
        },
      ],
    },
    { key: 'water', label: '', fields: [] },
  ],
};

describe('describeDefinitionPath', () => {
  it.each([
    ['sections[0].fields[1].key', 'Section "Household", field "Watu wazima" (2nd): key'],
    ['sections[0].fields[0].rules.max', 'Section "Household", field "Head of household" (1st): max'],
    ['sections[0].fields[0].options[1].value', 'Section "Household", field "Head of household" (1st): option 2, value'],
    ['sections[0].fields[2].label', 'Section "Household", field "nolabel" (3rd): label'],
    [
      'sections[0].tables[0].columns[1].rules.min',
      'Section "Household", table "Members" (1st), column "Age" (2nd): min',
    ],
    ['sections[0].tables[0].minRows', 'Section "Household", table "Members" (1st): minRows'],
    [
      'sections[0].fields[0].constraints[2].expression',
      'Section "Household", field "Head of household" (1st), constraint 3: expression',
    ],
    ['sections[0].constraints[0].message.sw', 'Section "Household", constraint 1: message, sw'],
    ['sections[1].key', 'Section "water": key'],
    ['sections[0].fields[9].key', 'Section "Household", field 10: key'],
    ['sections[5]', 'Section 6'],
    ['sections[0].fields', 'Section "Household": fields'],
    ['languages[1]', 'Language 2'],
    ['defaultLanguage', 'DefaultLanguage'],
    ['', 'The definition'],
  ])('%j reads %j', (path, words) => {
    expect(describeDefinitionPath(definition, path)).toBe(words);
  });

  it('reads a definition that is not one without failing', () => {
    expect(describeDefinitionPath(null, 'sections[0].fields[1].key')).toBe('Section 1, field 2: key');
    expect(describeDefinitionPath({ sections: 'x', languages: 'en' }, 'sections[0].key')).toBe('Section 1: key');
  });
});

describe('humanDefinitionNotice', () => {
  it('puts the first path of a validation notice in words and keeps the rest', () => {
    expect(
      humanDefinitionNotice(
        definition,
        'sections[0].fields[1].key: "1x" must start with a letter (and 2 more problems)',
        'sections[0].fields[1].key',
      ),
    ).toBe('Section "Household", field "Watu wazima" (2nd): key "1x" must start with a letter (and 2 more problems)');
  });
  it('leaves a message that does not begin with the path alone', () => {
    expect(humanDefinitionNotice(definition, 'Publish refused', 'sections[0].key')).toBe('Publish refused');
    expect(humanDefinitionNotice(definition, 'Not found', undefined)).toBe('Not found');
  });
});

it('ordinalOf', () => {
  expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinalOf)).toEqual([
    '1st',
    '2nd',
    '3rd',
    '4th',
    '11th',
    '12th',
    '13th',
    '21st',
    '22nd',
    '23rd',
    '101st',
    '111th',
  ]);
});
