import type { TemplateCatalog } from '../templates/catalog.js';
import { interfaceTextIn, type InterfaceText } from '../rules/interface-text.js';
import { localize } from '../rules/language.js';
import type { LocalizedDefinition, LocalizedField as Field } from '../templates/definition.schema.js';
import { own } from '../templates/own.js';

/**
 * A submission's payload as people read it: by section, with field labels and option labels,
 * in the order of its version's definition (for the admin panel and the review page).
 */
export interface PayloadView {
  templateTitle: string;
  version: number;
  sections: {
    key: string;
    label: string;
    fields: { key: string; label: string; type: string; value: unknown; display: string }[];
    tables: {
      key: string;
      label: string;
      columns: string[];
      /** Each column's field type (a `file` cell lists its files by name, as a file field does). */
      types: string[];
      rows: string[][];
      /** The answers behind `rows`, cell by cell (file ids for a file column). */
      values: unknown[][];
    }[];
  }[];
  /** Keys in the payload that the version does not know (should not happen: the schema refuses them). */
  unknown: string[];
}

/** `-1.286389, 36.817223 (± 12 m, altitude 1,661 m)`: decimal degrees, as a map link reads them. */
export function geopointText(value: unknown): string {
  if (value === null || typeof value !== 'object') return '—';
  const p = value as Record<string, unknown>;
  if (typeof p.latitude !== 'number' || typeof p.longitude !== 'number') return '—';
  const extra = [
    typeof p.accuracy === 'number' ? `± ${p.accuracy.toLocaleString('en-US')} m` : null,
    typeof p.altitude === 'number' ? `altitude ${p.altitude.toLocaleString('en-US')} m` : null,
  ].filter(Boolean);
  return `${p.latitude}, ${p.longitude}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function display(field: Field, value: unknown, t: InterfaceText): string {
  if (value === undefined || value === null || value === '') return '—';
  const option = (v: unknown) => field.options?.find((o) => o.value === v)?.label ?? String(v);
  if (field.type === 'single_choice') return option(value);
  if (field.type === 'multiple_choice' && Array.isArray(value)) return value.map(option).join(', ');
  if (field.type === 'boolean') return value ? t.yes : t.no;
  if (field.type === 'file' && Array.isArray(value)) return value.length ? t.filesCount(value.length) : '—';
  if (field.type === 'signature' && Array.isArray(value)) return value.length ? t.signed : '—';
  if (field.type === 'geopoint') return geopointText(value);
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function buildPayloadView(
  definition: LocalizedDefinition,
  payload: Record<string, unknown>,
  meta: { title: string; version: number },
  /** The words of the answer (yes, no, signed, a count of files), in the language it is read in. */
  text: InterfaceText = interfaceTextIn(undefined),
): PayloadView {
  const known = new Set(definition.sections.map((s) => s.key));
  return {
    templateTitle: meta.title,
    version: meta.version,
    unknown: Object.keys(payload).filter((k) => !known.has(k)),
    sections: definition.sections.map((section) => {
      const values = (own(payload, section.key) ?? {}) as Record<string, unknown>;
      return {
        key: section.key,
        label: section.label,
        // Notes are display-only text, not answers.
        fields: section.fields
          .filter((f) => f.type !== 'note')
          .map((f) => ({
            key: f.key,
            label: f.label,
            type: f.type,
            value: own(values, f.key) ?? null,
            display: display(f, own(values, f.key), text),
          })),
        tables: (section.tables ?? []).map((t) => {
          const list = own(values, t.key);
          const rows = Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
          return {
            key: t.key,
            label: t.label,
            columns: t.columns.map((c) => c.label),
            types: t.columns.map((c) => c.type),
            rows: rows.map((r) => t.columns.map((c) => display(c, own(r, c.key), text))),
            values: rows.map((r) => t.columns.map((c) => own(r, c.key) ?? null)),
          };
        }),
      };
    }),
  };
}

export async function payloadViewOf(
  catalog: TemplateCatalog,
  submission: { template_id: string; template_version: number; payload: Record<string, unknown> },
  language?: string,
): Promise<PayloadView> {
  const version = await catalog.version(submission.template_id, submission.template_version);
  const definition = localize(version.definition, language);
  return buildPayloadView(
    definition,
    submission.payload,
    { title: definition.title ?? version.title, version: version.version },
    interfaceTextIn(language),
  );
}
