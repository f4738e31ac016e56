/**
 * The forms of the rules cases (cases.ts): one field of every type with its rules, one of every
 * type required, and chains of conditions. Plain JSON: the browser test ships them to a page.
 */

const opts = (...pairs: [string, string][]) => pairs.map(([value, label]) => ({ value, label }));

export const FORMS = {
  /** Every type, optional, with rules. */
  types: {
    sections: [
      {
        id: 's_types',
        key: 's',
        label: 'Values',
        fields: [
          { id: 'f_n', key: 'n', label: 'Count', type: 'integer', rules: { min: 0, max: 30 } },
          { id: 'f_d', key: 'd', label: 'Depth', type: 'decimal', rules: { min: 0.5, max: 10 } },
          { id: 'f_i', key: 'i', label: 'Plain', type: 'integer' },
          { id: 'f_t', key: 't', label: 'Code', type: 'text', rules: { minLength: 2, maxLength: 5 } },
          { id: 'f_tmin', key: 'tmin', label: 'Name', type: 'text', rules: { minLength: 3 } },
          { id: 'f_lt', key: 'lt', label: 'Note', type: 'long_text', rules: { maxLength: 10 } },
          { id: 'f_b', key: 'b', label: 'Piped', type: 'boolean' },
          { id: 'f_dt', key: 'dt', label: 'Visit', type: 'date', rules: { min: '2024-01-01', max: '2024-12-31' } },
          { id: 'f_dmin', key: 'dmin', label: 'Since', type: 'date', rules: { min: '2024-01-01' } },
          { id: 'f_dtt', key: 'dtt', label: 'Tested at', type: 'datetime' },
          { id: 'f_tm', key: 'tm', label: 'Time', type: 'time' },
          { id: 'f_em', key: 'em', label: 'Email', type: 'email' },
          { id: 'f_u', key: 'u', label: 'Site', type: 'url' },
          { id: 'f_ch', key: 'ch', label: 'Source', type: 'single_choice', options: opts(['well', 'Well'], ['tap', 'Tap'], ['river', 'River']) },
          { id: 'f_mc', key: 'mc', label: 'Uses', type: 'multiple_choice', options: opts(['a', 'A'], ['b', 'B'], ['c', 'C']), rules: { minItems: 1, maxItems: 2 } },
          { id: 'f_wp', key: 'wp', label: 'Permit', type: 'text', rules: { pattern: '^WP-\\d{6}$', patternMessage: 'Use the format WP-123456' } },
          { id: 'f_pp', key: 'pp', label: 'Letters', type: 'text', rules: { pattern: '^(a+)+$' } },
          { id: 'f_f', key: 'f', label: 'Photo', type: 'file' },
        ],
      },
    ],
  },
  /** Every type required, and a table of one or two rows. */
  required: {
    sections: [
      {
        id: 's_req',
        key: 'r',
        label: 'Required',
        fields: [
          { id: 'f_rt', key: 't', label: 'Village', type: 'text', rules: { required: true } },
          { id: 'f_rn', key: 'n', label: 'Size', type: 'integer', rules: { required: true } },
          { id: 'f_rb', key: 'b', label: 'Consent', type: 'boolean', rules: { required: true } },
          { id: 'f_rch', key: 'ch', label: 'Source', type: 'single_choice', options: opts(['well', 'Well'], ['tap', 'Tap']), rules: { required: true } },
          { id: 'f_rmc', key: 'mc', label: 'Uses', type: 'multiple_choice', options: opts(['a', 'A'], ['b', 'B']), rules: { required: true } },
          { id: 'f_rf', key: 'f', label: 'Photo', type: 'file', multiple: true, rules: { required: true, maxItems: 2 } },
        ],
        tables: [
          {
            id: 't_people',
            key: 'people',
            label: 'People',
            minRows: 1,
            maxRows: 2,
            columns: [
              { id: 'f_pname', key: 'name', label: 'Name', type: 'text', rules: { required: true } },
              { id: 'f_page', key: 'age', label: 'Age', type: 'integer', rules: { min: 0, max: 120 } },
            ],
          },
        ],
      },
      { id: 's_other', key: 'o', label: 'Other', fields: [{ id: 'f_onote', key: 'note', label: 'Remark', type: 'text' }] },
    ],
  },
  /** Chains of conditions: the A -> B -> C, numbers against text, an untouched checkbox. */
  chain: {
    sections: [
      {
        id: 's_chain',
        key: 'c',
        label: 'Conditions',
        fields: [
          { id: 'f_a', key: 'a', label: 'Has a well', type: 'boolean' },
          { id: 'f_bb', key: 'b', label: 'Well kind', type: 'text', showIf: { field: 'f_a', equals: true } },
          { id: 'f_cc', key: 'c', label: 'Depth', type: 'integer', rules: { required: true, min: 1 }, showIf: { field: 'f_bb', equals: 'x' } },
          { id: 'f_num', key: 'num', label: 'Rooms', type: 'integer' },
          { id: 'f_m', key: 'm', label: 'Third room use', type: 'text', rules: { required: true }, showIf: { field: 'f_num', equals: '3' } },
          { id: 'f_q', key: 'q', label: 'Floor', type: 'single_choice', options: [{ value: '1', label: 'Ground' }, { value: '2', label: 'First' }] },
          { id: 'f_r', key: 'r', label: 'Stairs', type: 'text', rules: { required: true }, showIf: { field: 'f_q', in: [2] } },
          { id: 'f_u', key: 'u', label: 'Connected', type: 'boolean' },
          { id: 'f_v', key: 'v', label: 'Why not', type: 'text', rules: { required: true }, showIf: { field: 'f_u', equals: false } },
          { id: 'f_w', key: 'w', label: 'Since when', type: 'date', rules: { required: true }, showIf: { field: 'f_v', in: ['cost', 'distance'] } },
        ],
      },
    ],
  },
} as const;

export type FormName = keyof typeof FORMS;
