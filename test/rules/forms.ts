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
  /**
   * A form in three languages (English the default, Swahili complete, French in part): labels,
   * option labels, a pattern's message and constraint messages by language.
   */
  lang: {
    languages: ['en', 'sw', 'fr'],
    defaultLanguage: 'en',
    title: { en: 'Household survey', sw: 'Utafiti wa kaya' },
    sections: [
      {
        id: 's_lang',
        key: 'h',
        label: { en: 'Household', sw: 'Kaya', fr: 'Ménage' },
        constraints: [{ expression: 'coalesce(${adults}, 0) + coalesce(${children}, 0) <= 12', message: { en: 'At most 12 people', sw: 'Watu wasiozidi 12', fr: 'Au plus 12 personnes' } }],
        fields: [
          { id: 'f_ladults', key: 'adults', label: { en: 'Adults', sw: 'Watu wazima' }, type: 'integer', rules: { required: true, min: 0, max: 20 } },
          { id: 'f_lchildren', key: 'children', label: { en: 'Children', sw: 'Watoto', fr: 'Enfants' }, type: 'integer', help: { en: 'Under 18', sw: 'Chini ya miaka 18' } },
          { id: 'f_ltotal', key: 'total', label: { en: 'Total', sw: 'Jumla' }, type: 'calculated', resultType: 'integer', expression: 'coalesce(${adults}, 0) + coalesce(${children}, 0)' },
          { id: 'f_lstart', key: 'start', label: { en: 'Start', sw: 'Mwanzo' }, type: 'date' },
          {
            id: 'f_lend', key: 'end', label: { en: 'End', sw: 'Mwisho', fr: 'Fin' }, type: 'date',
            constraints: [{ expression: '${end} >= ${start}', message: { en: 'The end comes on or after the start', sw: 'Mwisho ni siku ya mwanzo au baadaye', fr: 'La fin vient après le début' } }],
          },
          { id: 'f_lwater', key: 'water', label: 'Water', type: 'single_choice', options: [{ value: 'well', label: { en: 'Well', sw: 'Kisima', fr: 'Puits' } }, { value: 'tap', label: { en: 'Tap', sw: 'Bomba' } }] },
          { id: 'f_lpermit', key: 'permit', label: { en: 'Permit', sw: 'Kibali' }, type: 'text', rules: { pattern: '^WP-\\d{6}$', patternMessage: { en: 'Use the format WP-123456', sw: 'Tumia muundo WP-123456' } } },
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
  /**
   * The functions and edge cases of expressions (docs/expressions.md): null through arithmetic and
   * comparisons, division by zero, round, coalesce, selected on a multiple and a single choice,
   * matches() on RE2, lengths, dates and times, and a repeating table's columns read per row, over
   * all rows, and from a column rule reaching outside its table.
   */
  fn: {
    sections: [
      {
        id: 's_fn',
        key: 'f',
        label: 'Functions',
        constraints: [{ expression: 'count(${rows.qty}) <= 3', message: 'At most 3 rows with a quantity' }],
        fields: [
          { id: 'f_fa', key: 'a', label: 'A', type: 'decimal' },
          { id: 'f_fb', key: 'b', label: 'B', type: 'decimal' },
          { id: 'f_fword', key: 'word', label: 'Word', type: 'text' },
          { id: 'f_fcode', key: 'code', label: 'Code', type: 'text', constraints: [{ expression: "matches(${code}, '^[A-Z]{2}-\\d+$')", message: 'A code looks like AB-12' }] },
          { id: 'f_fuses', key: 'uses', label: 'Uses', type: 'multiple_choice', options: opts(['water', 'Water'], ['power', 'Power'], ['gas', 'Gas']) },
          { id: 'f_fsrc', key: 'src', label: 'Source', type: 'single_choice', options: opts(['well', 'Well'], ['tap', 'Tap']) },
          { id: 'f_fd1', key: 'd1', label: 'From', type: 'date' },
          { id: 'f_fd2', key: 'd2', label: 'To', type: 'date' },
          { id: 'f_fat', key: 'at', label: 'Seen at', type: 'datetime' },
          { id: 'f_fcap', key: 'cap', label: 'Cap', type: 'integer' },
          { id: 'f_fratio', key: 'ratio', label: 'Ratio', type: 'calculated', resultType: 'decimal', expression: '${a} / ${b}' },
          { id: 'f_fr2', key: 'r2', label: 'A to 2 places', type: 'calculated', resultType: 'decimal', expression: 'round(${a}, 2)' },
          { id: 'f_fr0', key: 'r0', label: 'A whole', type: 'calculated', resultType: 'integer', expression: '${a}' },
          { id: 'f_frh', key: 'rh', label: 'A to hundreds', type: 'calculated', resultType: 'decimal', expression: 'round(${a}, -2)' },
          { id: 'f_ffirst', key: 'first', label: 'First given', type: 'calculated', resultType: 'text', expression: "coalesce(${word}, ${code}, 'none')" },
          { id: 'f_fsum', key: 'sumab', label: 'A plus B', type: 'calculated', resultType: 'decimal', expression: 'coalesce(${a}, 0) + coalesce(${b}, 0)' },
          { id: 'f_fplain', key: 'plain', label: 'A plus B, as given', type: 'calculated', resultType: 'decimal', expression: '${a} + ${b}' },
          { id: 'f_fbig', key: 'bigger', label: 'The bigger', type: 'calculated', resultType: 'decimal', expression: 'max(${a}, ${b})' },
          { id: 'f_fsmall', key: 'smaller', label: 'The smaller', type: 'calculated', resultType: 'decimal', expression: 'min(${a}, ${b})' },
          { id: 'f_fnotgt', key: 'notgt', label: 'Not over 3', type: 'calculated', resultType: 'boolean', expression: 'not (${a} > 3)' },
          { id: 'f_fblank', key: 'blank', label: 'No word', type: 'calculated', resultType: 'boolean', expression: '${word} = null' },
          { id: 'f_fnoteq', key: 'noteq', label: 'A is not B', type: 'calculated', resultType: 'boolean', expression: '${a} != ${b}' },
          { id: 'f_fwater', key: 'water', label: 'Uses water', type: 'calculated', resultType: 'boolean', expression: "selected(${uses}, 'water')" },
          { id: 'f_fwell', key: 'well', label: 'From a well', type: 'calculated', resultType: 'boolean', expression: "selected(${src}, 'well')" },
          { id: 'f_fnuses', key: 'nuses', label: 'How many uses', type: 'calculated', resultType: 'integer', expression: 'count(${uses})' },
          { id: 'f_fletters', key: 'letters', label: 'Letters only', type: 'calculated', resultType: 'boolean', expression: "matches(${word}, '^\\p{L}+$')" },
          { id: 'f_fdigit', key: 'digit', label: 'Has a digit', type: 'calculated', resultType: 'boolean', expression: "matches(${word}, '\\d')" },
          { id: 'f_fnested', key: 'nested', label: 'Runs of a', type: 'calculated', resultType: 'boolean', expression: "matches(${word}, '^(a+)+$')" },
          { id: 'f_flen', key: 'len', label: 'Length', type: 'calculated', resultType: 'integer', expression: 'length(${word})' },
          { id: 'f_fjoin', key: 'joined', label: 'Joined', type: 'calculated', resultType: 'text', expression: "${word} + '-' + ${code}" },
          { id: 'f_fdays', key: 'days', label: 'Days', type: 'calculated', resultType: 'integer', expression: 'days_between(${d1}, ${d2})' },
          { id: 'f_fago', key: 'ago', label: 'Days ago', type: 'calculated', resultType: 'integer', expression: 'days_between(${d1}, today())' },
          { id: 'f_fbefore', key: 'before', label: 'Day before', type: 'calculated', resultType: 'date', expression: '${d2} - 1' },
          { id: 'f_fseen', key: 'seen', label: 'Days since seen', type: 'calculated', resultType: 'integer', expression: 'days_between(${at}, now())' },
          { id: 'f_ftotal', key: 'total', label: 'Total', type: 'calculated', resultType: 'decimal', expression: 'sum(${rows.line})' },
          { id: 'f_fnrows', key: 'nrows', label: 'Rows with a quantity', type: 'calculated', resultType: 'integer', expression: 'count(${rows.qty})' },
          { id: 'f_fmaxq', key: 'maxq', label: 'Largest quantity', type: 'calculated', resultType: 'decimal', expression: 'max(${rows.qty})' },
          { id: 'f_fminp', key: 'minp', label: 'Lowest price', type: 'calculated', resultType: 'decimal', expression: 'min(${rows.price})' },
          { id: 'f_favg', key: 'avg', label: 'Average price', type: 'calculated', resultType: 'decimal', expression: 'round(sum(${rows.price}) / count(${rows.price}), 2)' },
          { id: 'f_fkindb', key: 'kindb', label: 'Any of kind B', type: 'calculated', resultType: 'boolean', expression: "selected(${rows.kind}, 'b')" },
        ],
        tables: [
          {
            id: 't_frows',
            key: 'rows',
            label: 'Rows',
            columns: [
              { id: 'c_fqty', key: 'qty', label: 'Quantity', type: 'integer', constraints: [{ expression: '${qty} <= coalesce(${f.cap}, 100)', message: 'Over the cap' }] },
              { id: 'c_fprice', key: 'price', label: 'Price', type: 'decimal' },
              { id: 'c_fkind', key: 'kind', label: 'Kind', type: 'single_choice', options: opts(['a', 'Kind A'], ['b', 'Kind B']) },
              { id: 'c_fline', key: 'line', label: 'Line', type: 'calculated', resultType: 'decimal', expression: 'coalesce(${qty}, 1) * ${price}' },
              { id: 'c_fnote', key: 'note', label: 'Note', type: 'text', rules: { required: "${kind} = 'b'" } },
            ],
          },
        ],
      },
    ],
  },
  /**
   * The engine's own messages in each language (English, Swahili, French) and in one it has none
   * for (Portuguese: the form's labels in Portuguese, the messages in English).
   */
  builtin: {
    languages: ['en', 'sw', 'fr', 'pt'],
    defaultLanguage: 'en',
    sections: [
      {
        id: 's_bi',
        key: 'v',
        label: { en: 'Visit', sw: 'Ziara', fr: 'Visite', pt: 'Visita' },
        fields: [
          { id: 'f_bin', key: 'n', label: { en: 'Rooms', sw: 'Vyumba', fr: 'Pièces', pt: 'Quartos' }, type: 'integer', rules: { required: true, min: 1, max: 1500 } },
          { id: 'f_bid', key: 'd', label: { en: 'Depth', sw: 'Kina', fr: 'Profondeur', pt: 'Profundidade' }, type: 'decimal', rules: { min: 0.5 } },
          { id: 'f_bit', key: 't', label: { en: 'Code', sw: 'Msimbo', fr: 'Code', pt: 'Código' }, type: 'text', rules: { minLength: 2, maxLength: 5 } },
          { id: 'f_bip', key: 'p', label: { en: 'Permit', sw: 'Kibali', fr: 'Permis', pt: 'Licença' }, type: 'text', rules: { pattern: '^WP-\\d{6}$' } },
          { id: 'f_biem', key: 'em', label: 'Email', type: 'email' },
          { id: 'f_biu', key: 'u', label: 'URL', type: 'url' },
          { id: 'f_bidt', key: 'dt', label: { en: 'Date', sw: 'Tarehe', fr: 'Date', pt: 'Data' }, type: 'date', rules: { min: '2024-01-01', max: '2024-12-31' } },
          { id: 'f_bitm', key: 'tm', label: { en: 'Time', sw: 'Saa', fr: 'Heure', pt: 'Hora' }, type: 'time' },
          {
            id: 'f_bich', key: 'ch', label: { en: 'Water', sw: 'Maji', fr: 'Eau', pt: 'Água' }, type: 'single_choice', rules: { required: true },
            options: [{ value: 'well', label: { en: 'Well', sw: 'Kisima', fr: 'Puits', pt: 'Poço' } }, { value: 'tap', label: { en: 'Tap', sw: 'Bomba', fr: 'Robinet', pt: 'Torneira' } }],
          },
          { id: 'f_bimc', key: 'mc', label: { en: 'Uses', sw: 'Matumizi', fr: 'Usages', pt: 'Usos' }, type: 'multiple_choice', options: opts(['a', 'A'], ['b', 'B'], ['c', 'C']), rules: { minItems: 1, maxItems: 2 } },
          { id: 'f_biok', key: 'ok', label: { en: 'Consent', sw: 'Idhini', fr: 'Accord', pt: 'Acordo' }, type: 'boolean', rules: { required: true } },
          { id: 'f_biloc', key: 'loc', label: { en: 'Place', sw: 'Mahali', fr: 'Lieu', pt: 'Local' }, type: 'geopoint' },
          { id: 'f_bif', key: 'f', label: { en: 'Photos', sw: 'Picha', fr: 'Photos', pt: 'Fotos' }, type: 'file', multiple: true, rules: { maxItems: 2 } },
        ],
        tables: [
          {
            id: 't_bipeople', key: 'people', label: { en: 'People', sw: 'Watu', fr: 'Personnes', pt: 'Pessoas' }, minRows: 1, maxRows: 3,
            columns: [{ id: 'c_biname', key: 'name', label: { en: 'Name', sw: 'Jina', fr: 'Nom', pt: 'Nome' }, type: 'text', rules: { required: true } }],
          },
        ],
      },
    ],
  },
  /** A form in Swahili first: with no language asked for, its texts and the engine's messages are Swahili. */
  kiswahili: {
    languages: ['sw', 'en'],
    defaultLanguage: 'sw',
    sections: [
      {
        id: 's_ks',
        key: 'k',
        label: { sw: 'Kaya', en: 'Household' },
        fields: [
          { id: 'f_ksn', key: 'n', label: { sw: 'Watu', en: 'People' }, type: 'integer', rules: { required: true, min: 1, max: 40 } },
          { id: 'f_ksv', key: 'village', label: { sw: 'Kijiji' }, type: 'text', rules: { required: true, maxLength: 20 } },
        ],
      },
    ],
  },
} as const;

export type FormName = keyof typeof FORMS;
