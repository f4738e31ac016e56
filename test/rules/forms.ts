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
  /**
   * Expressions: showIf and required as expressions, constraints of a field, a column, a table
   * and a section, calculated fields of every result type, and defaults.
   */
  expr: {
    sections: [
      {
        id: 's_house',
        key: 'h',
        label: 'Household',
        constraints: [{ expression: 'coalesce(${adults}, 0) + coalesce(${children}, 0) <= 12', message: 'A household has at most 12 people' }],
        fields: [
          { id: 'f_adults', key: 'adults', label: 'Adults', type: 'integer', rules: { required: true, min: 0, max: 20 } },
          { id: 'f_children', key: 'children', label: 'Children', type: 'integer', rules: { min: 0, max: 20 }, default: '0' },
          { id: 'f_total', key: 'total', label: 'People', type: 'calculated', resultType: 'integer', expression: '${adults} + ${children}' },
          { id: 'f_big', key: 'big', label: 'Large household', type: 'calculated', resultType: 'boolean', expression: '${total} >= 5' },
          { id: 'f_size', key: 'size', label: 'Size', type: 'calculated', resultType: 'text', expression: "if(${big}, 'large', 'small')" },
          { id: 'f_share', key: 'share', label: 'Share per person', type: 'calculated', resultType: 'decimal', expression: '100 / ${total}' },
          { id: 'f_start', key: 'start', label: 'Start', type: 'date' },
          { id: 'f_end', key: 'end', label: 'End', type: 'date', constraints: [{ expression: '${end} >= ${start}', message: 'The end comes on or after the start' }] },
          { id: 'f_nights', key: 'nights', label: 'Nights', type: 'calculated', resultType: 'integer', expression: 'days_between(${start}, ${end})' },
          { id: 'f_due', key: 'due', label: 'Due', type: 'calculated', resultType: 'date', expression: '${start} + 7' },
          { id: 'f_visit', key: 'visit', label: 'Visit', type: 'date', default: 'today()' },
          { id: 'f_town', key: 'town', label: 'Town', type: 'text', default: "'Springfield'" },
          { id: 'f_pets', key: 'pets', label: 'Pets', type: 'boolean' },
          {
            id: 'f_petcount',
            key: 'petCount',
            label: 'How many pets',
            type: 'integer',
            showIf: '${pets}',
            rules: { required: true },
            constraints: [{ expression: '${petCount} >= 1', message: 'Say how many pets, at least one' }],
          },
          { id: 'f_phone', key: 'phone', label: 'Phone', type: 'text', rules: { required: '${total} > 3' } },
        ],
        tables: [
          {
            id: 't_items',
            key: 'items',
            label: 'Items',
            constraints: [{ expression: 'sum(${items.line}) <= 1000', message: 'The items cost at most 1,000 in all' }],
            columns: [
              { id: 'c_name', key: 'name', label: 'Item', type: 'text', rules: { required: '${price} > 0' } },
              { id: 'c_price', key: 'price', label: 'Price', type: 'decimal' },
              { id: 'c_qty', key: 'qty', label: 'Quantity', type: 'integer', default: '1', constraints: [{ expression: '${qty} <= 10', message: 'At most 10 of one item' }] },
              { id: 'c_line', key: 'line', label: 'Line total', type: 'calculated', resultType: 'decimal', expression: '${price} * ${qty}' },
            ],
          },
        ],
      },
      {
        id: 's_person',
        key: 'p',
        label: 'Person',
        fields: [
          { id: 'f_age', key: 'age', label: 'Age', type: 'integer' },
          { id: 'f_adult', key: 'adult', label: 'Adult', type: 'calculated', resultType: 'boolean', expression: '${age} >= 18' },
          { id: 'f_guardian', key: 'guardian', label: 'Guardian', type: 'text', rules: { required: true }, showIf: '${age} < 18' },
          { id: 'f_idno', key: 'idno', label: 'ID number', type: 'text', rules: { required: true }, showIf: '${adult}' },
          { id: 'f_school', key: 'school', label: 'School', type: 'text', showIf: '${guardian} != null', constraints: [{ expression: "length(${school}) >= 3", message: 'Name the school' }] },
          { id: 'f_crowd', key: 'crowd', label: 'Crowding', type: 'text', rules: { required: true }, showIf: '${h.total} > 8' },
        ],
      },
    ],
  },
  /** A location, a signature and notes (docs/forms.md): the field types that are not one plain value. */
  places: {
    sections: [
      {
        id: 's_places',
        key: 'g',
        label: 'Visit',
        fields: [
          { id: 'f_gintro', key: 'intro', label: 'Stand at the door of the house, then record its location. Ask the head of the household to sign below.', type: 'note' },
          { id: 'f_gloc', key: 'loc', label: 'Location', type: 'geopoint', rules: { required: true } },
          { id: 'f_gspring', key: 'spring', label: 'Spring', type: 'geopoint' },
          { id: 'f_gconsent', key: 'consent', label: 'Consent', type: 'boolean' },
          { id: 'f_gsig', key: 'sig', label: 'Signature', type: 'signature', rules: { required: true } },
          { id: 'f_gwit', key: 'wit', label: 'Witness', type: 'signature', rules: { required: '${consent} = false' } },
          { id: 'f_gthanks', key: 'thanks', label: 'Thank the household for its time.', type: 'note', showIf: '${consent} = true' },
          { id: 'f_gsigned', key: 'signed', label: 'Signed', type: 'calculated', resultType: 'boolean', expression: 'count(${sig}) + count(${wit}) > 0' },
        ],
      },
    ],
  },
} as const;

export type FormName = keyof typeof FORMS;
