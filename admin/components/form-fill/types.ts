import type {
  Definition as SourceDefinition,
  FieldType,
  LocalizedDefinition as Definition,
  LocalizedField as Field,
  LocalizedSection as Section,
  LocalizedTable as RepeatingTable,
  ShowIf,
} from '../../../src/templates/definition.schema.js';

/**
 * What the `answer` (submissions) and `fill` (templates) record actions answer
 * (admin/actions/review-page.action.ts). Only type imports from the server.
 */
export type { Definition, Field, FieldType, RepeatingTable, Section, ShowIf, SourceDefinition };

/** An answer: section key → field key → value; a repeating table is an array of rows (column key → value). */
export type Answer = Record<string, Record<string, unknown>>;
export type Row = Record<string, unknown>;

export interface ApiError {
  path: string;
  message: string;
}

export interface FillData {
  mode: 'edit' | 'create';
  templateTitle: string;
  /** As stored: its texts may be maps by language; the page reads it localized (src/rules/language.ts). */
  definition: SourceDefinition;
  data: Answer;
  /** Section ids that cannot change (already approved sections of a rejected, section-reviewed submission). */
  lockedSections: string[];
  /** The files the submission holds (edit), for their names. */
  files?: { id: string; name: string }[];
  reviewStatus?: 'draft' | 'submitted' | 'in_review' | 'approved' | 'rejected';
  reviewReason?: string | null;
  notice?: { message: string; type: 'success' | 'error' | 'info' };
  errors?: ApiError[];
  created?: { id: string };
  redirectUrl?: string;
}
